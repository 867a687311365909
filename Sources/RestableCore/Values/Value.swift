/// One column value, as the engine sees it: the storage classes that every back end shares.
///
/// Values reach the engine loosely typed (from JSON or a URL) and are coerced to the
/// column's ``ColumnType`` before any statement runs; see ``ColumnType/coerce(_:column:)``.
///
/// Text is equal only to the same Unicode scalars, as the databases compare it: `é` and `e`
/// followed by a combining accent are two values (Swift's `String ==` would call them one).
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    /// An exact decimal (a `decimal` column's values), never rounded to binary floating point.
    case decimal(DecimalNumber)
    case text(String)
    case boolean(Bool)

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A human-readable rendering used in messages (text is not quoted).
    public var description: String {
        switch self {
        case .null: "null"
        case .integer(let value): String(value)
        case .real(let value): Value.format(value)
        case .decimal(let value): value.text
        case .text(let value): value
        case .boolean(let value): value ? "true" : "false"
        }
    }

    /// Formats a double without a trailing `.0` when it is integral and small enough to be exact.
    public static func format(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }

    public static func == (left: Value, right: Value) -> Bool {
        switch (left, right) {
        case (.null, .null): true
        case (.integer(let x), .integer(let y)): x == y
        case (.real(let x), .real(let y)): x == y
        case (.decimal(let x), .decimal(let y)): x == y
        case (.text(let x), .text(let y)): x.utf8.elementsEqual(y.utf8)
        case (.boolean(let x), .boolean(let y)): x == y
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .integer(let value): hasher.combine(1); hasher.combine(value)
        case .real(let value): hasher.combine(2); hasher.combine(value)
        case .decimal(let value): hasher.combine(3); hasher.combine(value)
        case .text(let value):
            hasher.combine(4)
            var text = value
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        case .boolean(let value): hasher.combine(5); hasher.combine(value)
        }
    }
}

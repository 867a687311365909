/// One column value, as the engine sees it: the storage classes that every back end shares.
///
/// Values reach the engine loosely typed (from JSON or a URL) and are coerced to the
/// column's ``ColumnType`` before any statement runs; see ``ColumnType/coerce(_:column:)``.
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
}

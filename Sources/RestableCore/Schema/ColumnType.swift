import Foundation

/// The declared type of a column. Every back end maps these to its own types.
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    case integer
    case text
    /// An exact-looking number (money): NUMERIC in the database, a JSON number on the wire.
    case decimal
    case real
    case boolean

    /// Converts a loosely typed value (from JSON) to this type, or fails with `invalidValue`.
    ///
    /// Integers are accepted where a decimal or real is expected when a double holds them
    /// exactly; a real with no fractional part is accepted as an integer when it is in range.
    /// Nothing is converted from or to text, and nothing is rounded or clamped.
    public func coerce(_ value: Value, column: String) throws(RestableError) -> Value {
        switch (self, value) {
        case (_, .null): return .null
        case (.integer, .integer): return value
        case (.integer, .real(let double)):
            if double == double.rounded(), let exact = Int64(exactly: double) { return .integer(exact) }
        case (.text, .text): return value
        case (.decimal, .integer(let int)), (.real, .integer(let int)):
            // Only integers a double holds exactly: a larger one is refused, never rounded.
            if let double = Double(exactly: int) { return .real(double) }
            throw RestableError(
                .invalidValue, "column '\(column)' cannot hold \(int) exactly (at most 2^53 in magnitude)", column: column)
        case (.decimal, .real), (.real, .real): return value
        case (.boolean, .boolean): return value
        default: break
        }
        throw RestableError(
            .invalidValue,
            "column '\(column)' expects \(self.articleName), got \(value.kindName)",
            column: column
        )
    }

    /// Parses a value written as text in a URL (a key in the path, a filter value).
    public func parse(_ text: String) -> Value? {
        switch self {
        case .text: return .text(text)
        case .integer: return Int64(text).map(Value.integer)
        case .decimal, .real:
            guard let double = Double(text), double.isFinite else { return nil }
            return .real(double)
        case .boolean:
            switch text.lowercased() {
            case "true", "1": return .boolean(true)
            case "false", "0": return .boolean(false)
            default: return nil
            }
        }
    }

    /// "an integer", "a text", ... for messages.
    public var articleName: String {
        switch self {
        case .integer: "an integer"
        default: "a \(rawValue)"
        }
    }
}

extension Value {
    /// The kind of a loosely typed value, for messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .integer: "an integer"
        case .real: "a number"
        case .text: "a string"
        case .boolean: "a boolean"
        }
    }
}

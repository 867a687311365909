import Foundation

/// The declared type of a column. Every back end maps these to its own types.
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    case integer
    case text
    /// An exact decimal number (money): ``DecimalNumber`` in the engine, PostgreSQL `numeric`,
    /// canonical text in SQLite, a JSON number on the wire written with exactly its digits.
    case decimal
    /// A binary floating-point number (a 64-bit double).
    case real
    case boolean
    /// An instant, to the microsecond: the canonical text of ``Timestamp`` in the engine and on
    /// the wire, PostgreSQL `timestamptz`, that same text in SQLite.
    case timestamp

    /// Converts a loosely typed value (from JSON) to this type, or fails with `invalidValue`.
    ///
    /// Nothing is rounded, clamped or converted from or to text, except as follows. A decimal
    /// with no fraction is accepted as an integer when it fits 64 bits; an integer is accepted as
    /// a decimal, and as a real when a double holds it exactly; a decimal is accepted as a real
    /// when the double prints back as the same digits. A timestamp is written as text and kept in
    /// its canonical form.
    public func coerce(_ value: Value, column: String) throws(RestableError) -> Value {
        switch (self, value) {
        case (_, .null): return .null
        case (.integer, .integer): return value
        case (.integer, .decimal(let decimal)):
            if let exact = decimal.integerValue { return .integer(exact) }
            throw RestableError(
                .invalidValue, "column '\(column)' expects an integer (64 bits), got \(decimal)", column: column)
        case (.integer, .real(let double)):
            if double == double.rounded(), let exact = Int64(exactly: double) { return .integer(exact) }
        case (.text, .text): return value
        case (.decimal, .decimal): return value
        case (.decimal, .integer(let int)): return .decimal(DecimalNumber(int))
        case (.decimal, .real(let double)):
            if let decimal = DecimalNumber(double) { return .decimal(decimal) }
        case (.real, .real): return value
        case (.real, .integer(let int)):
            // Only integers a double holds exactly: a larger one is refused, never rounded.
            if let double = Double(exactly: int) { return .real(double) }
            throw RestableError(
                .invalidValue, "column '\(column)' cannot hold \(int) exactly (at most 2^53 in magnitude)", column: column)
        case (.real, .decimal(let decimal)):
            if let double = decimal.exactDouble { return .real(double) }
            throw RestableError(
                .invalidValue,
                "column '\(column)' cannot hold \(decimal) exactly (a 64-bit float keeps about 15 significant digits)",
                column: column)
        case (.boolean, .boolean): return value
        case (.timestamp, .text(let text)):
            if let canonical = Timestamp.canonical(text) { return .text(canonical) }
            throw RestableError(
                .invalidValue,
                "column '\(column)' expects a timestamp such as 2026-12-02T23:07:55Z (RFC 3339, at most 6 fraction digits), got '\(text)'",
                column: column)
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
        case .decimal: return DecimalNumber(text).map(Value.decimal)
        case .real:
            guard let decimal = DecimalNumber(text), let double = decimal.exactDouble else { return nil }
            return .real(double)
        case .boolean:
            switch text.lowercased() {
            case "true", "1": return .boolean(true)
            case "false", "0": return .boolean(false)
            default: return nil
            }
        case .timestamp: return Timestamp.canonical(text).map(Value.text)
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
        case .real, .decimal: "a number"
        case .text: "a string"
        case .boolean: "a boolean"
        }
    }
}

public import RestableCore

/// A JSON value whose objects keep their keys in order, so that rows come out in column order.
///
/// Numbers are never rounded: an integer that fits 64 bits is ``integer(_:)``, and every other
/// number is an exact ``DecimalNumber``.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    /// Any other number, with exactly the digits it was written with (canonical: `12.50` is 12.5).
    case number(DecimalNumber)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// A double as a number (the digits it prints as); `null` when it is not finite.
    public static func real(_ double: Double) -> JSON {
        DecimalNumber(double).map(JSON.number) ?? .null
    }

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        // Numbers are equal by value: `100` read back from `1e2` is the same number.
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): DecimalNumber(a) == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The member named `key` of an object (the first, if repeated).
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The element at `index` of an array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [(String, JSON)]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// What kind of value this is, for messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

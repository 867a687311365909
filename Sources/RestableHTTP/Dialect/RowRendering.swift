public import RestableCore

/// Conversions between engine values and JSON, shared by every dialect.
public enum RowRendering {
    public static func json(_ value: Value) -> JSON {
        switch value {
        case .null: .null
        case .integer(let int): .integer(int)
        case .real(let double): .real(double)
        case .decimal(let decimal): .number(decimal)
        case .text(let text): .string(text)
        case .boolean(let bool): .bool(bool)
        }
    }

    /// A JSON scalar as a loosely typed value; arrays and objects are not values.
    public static func value(_ json: JSON, column: String) throws(RestableError) -> Value {
        switch json {
        case .null: return .null
        case .bool(let bool): return .boolean(bool)
        case .integer(let int): return .integer(int)
        case .number(let decimal): return .decimal(decimal)
        case .string(let text): return .text(text)
        case .array, .object:
            throw RestableError(.invalidValue, "column '\(column)' expects a single value, got \(json.kindName)", column: column)
        }
    }

    /// The columns of a JSON object as loosely typed values; members named `@...` (metadata) are skipped.
    public static func values(_ json: JSON) throws(RestableError) -> [String: Value] {
        guard case .object(let members) = json else {
            throw RestableError(.invalidBody, "the body must be a JSON object, got \(json.kindName)")
        }
        var values: [String: Value] = [:]
        for (name, member) in members where !name.hasPrefix("@") {
            values[name] = try value(member, column: name)
        }
        return values
    }

    /// A key as JSON: the value itself for a one-column key, an array for a composite key.
    public static func json(_ key: Key) -> JSON {
        key.values.count == 1 ? json(key.values[0]) : .array(key.values.map(json))
    }

    /// A key as a path segment: each part percent-encoded, joined by commas.
    public static func pathSegment(_ key: Key) -> String {
        key.values.map { PercentEncoding.encode($0.description) }.joined(separator: ",")
    }

    /// The columns of a row as JSON members, in the resource's column order.
    public static func members(_ row: Row, of resource: Resource) -> [(String, JSON)] {
        resource.columns.map { ($0.name, json(row[$0.name])) }
    }
}

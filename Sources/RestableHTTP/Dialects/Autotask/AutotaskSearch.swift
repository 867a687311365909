public import RestableCore

/// An Autotask query, read strictly: `{"filter": [...], "IncludeFields": [...], "MaxRecords": n}`.
///
/// Filter items are `{"op", "field", "value"}` with the vendor's operators, or groups
/// `{"op": "and" | "or", "items": [...]}`, nested; the top-level items must all hold. Member
/// names, operators and field names match case-insensitively, as the vendor's do; an unknown
/// member, operator or field is `invalidFilter` naming it. The field names become the
/// resource's own column names, so the engine sees exact names only.
public struct AutotaskSearch: Sendable {
    public var filter: FilterExpression
    /// The columns to return (the key always among them); nil: every column.
    public var includeFields: [String]?
    /// How many items a page holds: 1 to 500, 500 when absent.
    public var maxRecords: Int

    public static let largestPage = 500

    /// The search as the client wrote it, compact, for the links to the next and previous pages.
    public var text: String

    public init(_ text: String, of resource: Resource) throws(RestableError) {
        let json: JSON
        do {
            json = try JSONParser.parse(Array(text.utf8))
        } catch {
            throw RestableError(.invalidFilter, "the search is not valid JSON: \(error)")
        }
        try self.init(json, of: resource)
    }

    public init(_ json: JSON, of resource: Resource) throws(RestableError) {
        guard case .object(let members) = json else {
            throw RestableError(.invalidFilter, "the search must be a JSON object with a 'filter' array, got \(json.kindName)")
        }
        let named = try Self.members(members, allowed: ["filter", "includefields", "maxrecords"], in: "the search")
        guard let filter = named["filter"] else {
            throw RestableError(.invalidFilter, "the search needs a 'filter' array of at least one condition")
        }
        guard case .array(let items) = filter, !items.isEmpty else {
            throw RestableError(.invalidFilter, "'filter' must be an array of at least one condition, got \(filter.kindName == "an array" ? "an empty array" : filter.kindName)")
        }
        var parts: [FilterExpression] = []
        for (index, item) in items.enumerated() { parts.append(try Self.expression(item, of: resource, at: "filter[\(index)]")) }
        self.filter = .all(parts)

        switch named["maxrecords"] {
        case nil, .null?:
            maxRecords = Self.largestPage
        case .integer(let count)? where (1...Int64(Self.largestPage)).contains(count):
            maxRecords = Int(count)
        case .number(let number)?:
            throw RestableError(
                .invalidFilter, "'MaxRecords' must be a whole number from 1 to \(Self.largestPage), written without a point or an exponent; got the number \(number)")
        case let other?:
            throw RestableError(.invalidFilter, "'MaxRecords' must be a whole number from 1 to \(Self.largestPage), got \(other.text)")
        }

        switch named["includefields"] {
        case nil, .null?:
            includeFields = nil
        case .array(let names)?:
            var columns: [String] = []
            for name in names {
                guard case .string(let field) = name else {
                    throw RestableError(.invalidFilter, "'IncludeFields' must list field names as strings, got \(name.kindName)")
                }
                let column = try Self.column(field, of: resource)
                if !columns.contains(column) { columns.append(column) }
            }
            includeFields = columns
        case let other?:
            throw RestableError(.invalidFilter, "'IncludeFields' must be an array of field names, got \(other.kindName)")
        }
        text = json.text
    }

    /// Members by lowercased name; an unknown one, or one given twice in any case, is refused.
    static func members(_ members: [(String, JSON)], allowed: Set<String>, in place: String) throws(RestableError) -> [String: JSON] {
        var named: [String: JSON] = [:]
        for (name, value) in members {
            let lowered = name.lowercased()
            guard allowed.contains(lowered) else {
                throw RestableError(.invalidFilter, "\(place) has an unknown member '\(name)'")
            }
            guard named.updateValue(value, forKey: lowered) == nil else {
                throw RestableError(.invalidFilter, "\(place) gives '\(name)' twice")
            }
        }
        return named
    }

    /// The column a field names: the exact name, else the one column whose name matches it
    /// ignoring case (`Id` is `id`).
    public static func column(_ field: String, of resource: Resource) throws(RestableError) -> String {
        if resource.column(named: field) != nil { return field }
        let matching = resource.columns.filter { $0.name.lowercased() == field.lowercased() }
        guard matching.count == 1 else {
            let why = matching.isEmpty ? "has no field" : "has several fields matching"
            throw RestableError(.unknownColumn, "\(resource.name) \(why) '\(field)'", resource: resource.name, column: field)
        }
        return matching[0].name
    }

    static let comparisons: [String: FilterInput.Operation] = [
        "eq": .compare(.eq), "noteq": .compare(.neq), "gt": .compare(.gt), "gte": .compare(.gte), "lt": .compare(.lt),
        "lte": .compare(.lte), "beginswith": .matches(.prefix, negated: false), "endswith": .matches(.suffix, negated: false),
        "contains": .matches(.contains, negated: false),
    ]

    static func unknownOperator(_ name: String, at place: String) -> RestableError {
        RestableError(
            .invalidFilter,
            "\(place): unknown operator '\(name)' (use eq, noteq, gt, gte, lt, lte, beginsWith, endsWith, contains, exist, notExist, in, notIn, and, or)")
    }

    static func expression(_ item: JSON, of resource: Resource, at place: String) throws(RestableError) -> FilterExpression {
        guard case .object(let members) = item else {
            throw RestableError(.invalidFilter, "\(place) must be an object with 'op', got \(item.kindName)")
        }
        var operatorName: String?
        for (name, value) in members where name.lowercased() == "op" {
            guard case .string(let text) = value else { throw RestableError(.invalidFilter, "\(place): 'op' must be a string, got \(value.kindName)") }
            operatorName = text
        }
        guard let operatorName else { throw RestableError(.invalidFilter, "\(place) needs an 'op'") }
        let op = operatorName.lowercased()
        guard ["and", "or", "exist", "notexist", "in", "notin"].contains(op) || comparisons[op] != nil else {
            throw unknownOperator(operatorName, at: place)
        }
        if op == "and" || op == "or" {
            let named = try Self.members(members, allowed: ["op", "items"], in: place)
            guard case .array(let items)? = named["items"] else {
                throw RestableError(.invalidFilter, "\(place): an '\(operatorName)' group needs an 'items' array")
            }
            // An empty group would be every row ('and') or none ('or'): a client that built one
            // by mistake must not read, and then delete, a whole table.
            guard !items.isEmpty else {
                throw RestableError(.invalidFilter, "\(place): an '\(operatorName)' group needs at least one item")
            }
            var parts: [FilterExpression] = []
            for (index, part) in items.enumerated() { parts.append(try expression(part, of: resource, at: "\(place).items[\(index)]")) }
            return op == "and" ? .all(parts) : .any(parts)
        }
        let named = try Self.members(members, allowed: ["op", "field", "value", "udf"], in: place)
        switch named["udf"] {
        case nil, .bool(false)?: break
        case .bool(true)?: throw RestableError(.invalidFilter, "\(place): Restable has no user-defined fields ('udf': true)")
        case let other?: throw RestableError(.invalidFilter, "\(place): 'udf' must be true or false, got \(other.kindName)")
        }
        guard case .string(let field)? = named["field"] else {
            throw RestableError(.invalidFilter, "\(place): '\(operatorName)' needs a 'field' string")
        }
        let column = try Self.column(field, of: resource)
        let value = named["value"]
        switch op {
        case "exist", "notexist":
            guard value == nil || value == .null else {
                throw RestableError(.invalidFilter, "\(place): '\(operatorName)' takes no value")
            }
            return .condition(FilterInput(column: column, operation: .isNull(op == "notexist"), values: []))
        case "in", "notin":
            guard case .array(let values)? = value else {
                throw RestableError(.invalidFilter, "\(place): '\(operatorName)' needs a 'value' array")
            }
            var operands: [FilterOperand] = []
            for element in values { operands.append(try operand(element, at: place)) }
            return .condition(FilterInput(column: column, operation: op == "in" ? .oneOf : .noneOf, values: operands))
        default:
            guard let operation = comparisons[op] else {
                throw unknownOperator(operatorName, at: place)
            }
            guard let value, value != .null else {
                throw RestableError(.invalidFilter, "\(place): '\(operatorName)' needs a 'value' (test for null with exist / notExist)")
            }
            return .condition(FilterInput(column: column, operation: operation, values: [try operand(value, at: place)]))
        }
    }

    /// A string is read by the column's type (`"12"` for an integer, as the vendor accepts);
    /// a number or boolean is coerced.
    static func operand(_ value: JSON, at place: String) throws(RestableError) -> FilterOperand {
        switch value {
        case .string(let text): return .text(text)
        case .integer, .number, .bool: return .value(try RowRendering.value(value, column: ""))
        case .null: throw RestableError(.invalidFilter, "\(place): a value cannot be null (test for null with exist / notExist)")
        case .array, .object: throw RestableError(.invalidFilter, "\(place): a value must be a string, number or boolean, got \(value.kindName)")
        }
    }
}

/// Turns requests into plans by checking them against the schema. Pure: no I/O.
///
/// Every check that does not need data happens here, so that a malformed request fails before
/// a transaction starts (rule 1 of a delete).
public struct Planner: Sendable {
    public let schema: Schema

    public init(schema: Schema) {
        self.schema = schema
    }

    /// Checks a key against the resource's key columns: the right number of parts, each of the right type.
    public func key(_ input: KeyInput, of resource: Resource) throws(RestableError) -> Key {
        guard !resource.key.isEmpty else {
            throw RestableError(
                .invalidKey, "\(resource.name) has no primary key, so its rows cannot be addressed one by one: list the collection instead",
                resource: resource.name)
        }
        let columns = resource.keyColumns
        let count: Int
        switch input {
        case .parts(let parts): count = parts.count
        case .values(let values): count = values.count
        }
        guard count == columns.count else {
            let expected = columns.map(\.name).joined(separator: ", ")
            throw RestableError(
                .invalidKey,
                "\(resource.name) has a key of \(columns.count) part\(columns.count == 1 ? "" : "s") (\(expected)), got \(count)",
                resource: resource.name)
        }
        var values: [Value] = []
        for (index, column) in columns.enumerated() {
            let value: Value?
            switch input {
            case .parts(let parts): value = column.type.parse(parts[index])
            case .values(let given): value = try? column.type.coerce(given[index], column: column.name)
            }
            guard let value, !value.isNull else {
                let shown: String
                switch input {
                case .parts(let parts): shown = "'\(parts[index])'"
                case .values(let given): shown = given[index].kindName
                }
                throw RestableError(
                    .invalidKey, "key column '\(column.name)' of \(resource.name) expects \(column.type.articleName), got \(shown)",
                    resource: resource.name, column: column.name)
            }
            values.append(value)
        }
        return Key(values)
    }

    /// The most filters one request may combine: each is a term of one SQL expression, and
    /// databases limit an expression's depth (SQLite: 1,000).
    public static let maximumFilters = 100
    /// The most values the filters of one request may hold together, besides its longest list
    /// (which a store splits into chunks), so that no statement needs more bound parameters
    /// than a database takes.
    public static let maximumFilterValues = 10_000

    /// Checks filters against the resource's columns and coerces their operands.
    public func predicate(_ filters: [FilterInput], of resource: Resource) throws(RestableError) -> RowPredicate {
        guard filters.count <= Self.maximumFilters else {
            throw RestableError(.invalidFilter, "a request may combine at most \(Self.maximumFilters) filters, got \(filters.count)")
        }
        let values = filters.reduce(0) { $0 + $1.operands.count } - (filters.map(\.operands.count).max() ?? 0)
        guard values <= Self.maximumFilterValues else {
            throw RestableError(
                .invalidFilter,
                "the filters of a request may hold at most \(Self.maximumFilterValues) values besides their longest list, got \(values)")
        }
        var conditions: [Condition] = []
        for filter in filters {
            guard let column = resource.column(named: filter.column) else {
                throw RestableError(
                    .unknownColumn, "\(resource.name) has no column '\(filter.column)'", resource: resource.name,
                    column: filter.column)
            }
            func operand(_ text: String) throws(RestableError) -> Value {
                guard let value = column.type.parse(text) else {
                    throw RestableError(
                        .invalidFilter, "filter on '\(column.name)' expects \(column.type.articleName), got '\(text)'",
                        resource: resource.name, column: column.name)
                }
                return value
            }
            switch filter.operation {
            case .compare(let op):
                guard filter.operands.count == 1 else {
                    throw RestableError(.invalidFilter, "filter on '\(column.name)' needs one value", column: column.name)
                }
                conditions.append(.compare(column: column.name, op, try operand(filter.operands[0])))
            case .oneOf:
                var values: [Value] = []
                for text in filter.operands { values.append(try operand(text)) }
                conditions.append(.oneOf(column: column.name, values))
            case .isNull(let isNull):
                conditions.append(.isNull(column: column.name, isNull))
            }
        }
        return RowPredicate(conditions)
    }

    /// Checks a body's values: every column known, every value of the column's type.
    public func values(_ given: [String: Value], of resource: Resource) throws(RestableError) -> [String: Value] {
        var values: [String: Value] = [:]
        for name in given.keys.sorted() {
            guard let column = resource.column(named: name) else {
                throw RestableError(.unknownColumn, "\(resource.name) has no column '\(name)'", resource: resource.name, column: name)
            }
            let value = try column.type.coerce(given[name]!, column: name)
            if value.isNull, column.required || resource.key.contains(name) {
                throw RestableError(.missingValue, "column '\(name)' of \(resource.name) cannot be null", resource: resource.name, column: name)
            }
            values[name] = value
        }
        return values
    }

    /// Refuses a change of a read-only resource (`readOnly`, 405 in the native dialect).
    public func requireWritable(_ resource: Resource, _ action: String) throws(RestableError) {
        guard let reason = resource.readOnly else { return }
        throw RestableError(
            .readOnly, "\(resource.name) is read-only (\(reason.explanation)): its rows cannot be \(action)", resource: resource.name)
    }

    /// Refuses values for read-only columns (`readOnlyColumn`, 400), naming the first.
    func refuseReadOnlyColumns(_ values: [String: Value], of resource: Resource) throws(RestableError) {
        for column in resource.columns where column.readOnly && values[column.name] != nil {
            let why = column.readAsText ? "its database type is not one Restable knows, so it is served as text" : "the database computes it"
            throw RestableError(
                .readOnlyColumn, "column '\(column.name)' of \(resource.name) is read-only (\(why)); leave it out",
                resource: resource.name, column: column.name)
        }
    }

    public func plan(_ request: CreateRequest) throws(RestableError) -> InsertPlan {
        let resource = try schema.require(request.resource)
        try requireWritable(resource, "inserted")
        let values = try values(request.values, of: resource)
        try refuseReadOnlyColumns(values, of: resource)
        // A read-only column is filled by the database (a default) or the insert is refused there.
        for column in resource.columns where values[column.name] == nil && !column.generated && !column.readOnly {
            if column.required || resource.key.contains(column.name) {
                throw RestableError(
                    .missingValue, "column '\(column.name)' of \(resource.name) must be provided", resource: resource.name,
                    column: column.name)
            }
        }
        return InsertPlan(resource: resource, values: values)
    }

    public func plan(_ request: UpdateRequest) throws(RestableError) -> UpdatePlan {
        let resource = try schema.require(request.resource)
        try requireWritable(resource, "updated")
        let key = try key(request.key, of: resource)
        var values = try values(request.values, of: resource)
        for (column, keyValue) in zip(resource.key, key.values) {
            guard let given = values[column] else { continue }
            guard given == keyValue else {
                throw RestableError(
                    .keyImmutable, "key column '\(column)' of \(resource.name) cannot be changed", resource: resource.name,
                    key: key, column: column)
            }
            values[column] = nil
        }
        try refuseReadOnlyColumns(values, of: resource)
        return UpdatePlan(resource: resource, key: key, values: values, precondition: request.precondition)
    }

    public func plan(_ request: ListRequest) throws(RestableError) -> ReadPlan {
        let resource = try schema.require(request.resource)
        for (name, value) in [("limit", request.limit), ("offset", request.offset)] {
            if let value, value < 0 {
                throw RestableError(.invalidQuery, "\(name) must be zero or more, got \(value)")
            }
        }
        return ReadPlan(
            resource: resource, predicate: try predicate(request.filters, of: resource), limit: request.limit,
            offset: request.offset)
    }
}

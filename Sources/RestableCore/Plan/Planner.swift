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
        let names = resource.key
        let count: Int
        switch input {
        case .parts(let parts): count = parts.count
        case .values(let values): count = values.count
        }
        guard count == names.count else {
            let expected = names.joined(separator: ", ")
            throw RestableError(
                .invalidKey,
                "\(resource.name) has a key of \(names.count) part\(names.count == 1 ? "" : "s") (\(expected)), got \(count)",
                resource: resource.name)
        }
        // A single integer key given as an integer is already the key: its array is kept.
        if case .values(let given) = input, names.count == 1, case .integer = given[0], resource.column(named: names[0])?.type == .integer {
            return Key(given)
        }
        // Looked up by name per key rather than through `keyColumns`, which builds an array:
        // a request of a million keys comes through here a million times.
        var values: [Value] = []
        values.reserveCapacity(names.count)
        for (index, name) in names.enumerated() {
            guard let column = resource.column(named: name) else {
                throw RestableError(.internalError, "\(resource.name) has no key column \(name)", resource: resource.name)
            }
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

    /// The most conditions one request's filter may hold: each is a term of one SQL expression,
    /// and databases limit an expression's size and depth (SQLite: a depth of 1,000).
    public static let maximumFilters = 100
    /// How deeply and / or groups may nest.
    public static let maximumFilterDepth = 8
    /// The most values the conditions of one request may hold together, besides the longest list
    /// of a top-level `oneOf` (which a store splits into chunks), so that no statement needs more
    /// bound parameters than a database takes.
    public static let maximumFilterValues = 10_000
    /// The longest text pattern (in characters), and the most wildcards one may hold: both
    /// bound the work of matching it against every row.
    public static let maximumPatternLength = 1_000
    public static let maximumPatternWildcards = 20

    /// Checks filters against the resource's columns and coerces their operands: every one must hold.
    public func predicate(_ filters: [FilterInput], of resource: Resource) throws(RestableError) -> RowPredicate {
        try predicate(.conjunction(filters), of: resource)
    }

    /// Checks a filter expression against the resource's columns and coerces its operands.
    public func predicate(_ filter: FilterExpression, of resource: Resource) throws(RestableError) -> RowPredicate {
        let count = filter.conditionCount
        guard count <= Self.maximumFilters else {
            throw RestableError(.invalidFilter, "a request may combine at most \(Self.maximumFilters) filters, got \(count)")
        }
        guard filter.depth <= Self.maximumFilterDepth else {
            throw RestableError(.invalidFilter, "filter groups may nest at most \(Self.maximumFilterDepth) deep, got \(filter.depth)")
        }
        let chunkable = Self.topLevel(filter).filter { $0.operation == .oneOf }.map(\.operands.count).max() ?? 0
        let values = Self.operandCount(filter) - chunkable
        guard values <= Self.maximumFilterValues else {
            throw RestableError(
                .invalidFilter,
                "the filters of a request may hold at most \(Self.maximumFilterValues) values besides the longest list of a top-level 'in', got \(values)")
        }
        return RowPredicate(try conditions(filter, of: resource))
    }

    /// The conditions that hold at the top (joined by and only): the ones a store may chunk.
    private static func topLevel(_ filter: FilterExpression) -> [FilterInput] {
        switch filter {
        case .condition(let input): [input]
        case .all(let parts): parts.flatMap(topLevel)
        case .any(let parts): parts.count == 1 ? topLevel(parts[0]) : []
        }
    }

    private static func operandCount(_ filter: FilterExpression) -> Int {
        switch filter {
        case .condition(let input): input.operands.count
        case .all(let parts), .any(let parts): parts.reduce(0) { $0 + operandCount($1) }
        }
    }

    private func conditions(_ filter: FilterExpression, of resource: Resource) throws(RestableError) -> [Condition] {
        switch filter {
        case .condition(let input):
            return [try condition(input, of: resource)]
        case .all(let parts):
            var conditions: [Condition] = []
            for part in parts { conditions += try self.conditions(part, of: resource) }
            return conditions
        case .any(let parts):
            if parts.count == 1 { return try conditions(parts[0], of: resource) }
            var alternatives: [RowPredicate] = []
            for part in parts { alternatives.append(RowPredicate(try conditions(part, of: resource))) }
            return [.anyOf(alternatives)]
        }
    }

    private func condition(_ filter: FilterInput, of resource: Resource) throws(RestableError) -> Condition {
        guard let column = resource.column(named: filter.column) else {
            throw RestableError(
                .unknownColumn, "\(resource.name) has no column '\(filter.column)'", resource: resource.name, column: filter.column)
        }
        func refuse(_ message: String) -> RestableError {
            RestableError(.invalidFilter, message, resource: resource.name, column: column.name)
        }
        func operand(_ given: FilterOperand) throws(RestableError) -> Value {
            switch given {
            case .text(let text):
                guard let value = column.type.parse(text) else {
                    throw refuse("filter on '\(column.name)' expects \(column.type.articleName), got '\(text)'")
                }
                return value
            case .value(.null):
                throw refuse("filter on '\(column.name)' compares with null, which no value equals: test for null instead")
            case .value(let value):
                do {
                    return try column.type.coerce(value, column: column.name)
                } catch {
                    throw refuse("filter on '\(column.name)' expects \(column.type.articleName), got \(value.kindName)")
                }
            }
        }
        func single() throws(RestableError) -> FilterOperand {
            guard filter.operands.count == 1 else { throw refuse("filter on '\(column.name)' needs one value") }
            return filter.operands[0]
        }
        switch filter.operation {
        case .compare(let op):
            return .compare(column: column.name, op, try operand(try single()))
        case .oneOf, .noneOf:
            var values: [Value] = []
            for given in filter.operands { values.append(try operand(given)) }
            return filter.operation == .oneOf ? .oneOf(column: column.name, values) : .noneOf(column: column.name, values)
        case .isNull(let isNull):
            guard filter.operands.isEmpty else { throw refuse("a null test on '\(column.name)' takes no value") }
            return .isNull(column: column.name, isNull)
        case .matches(let match, let negated):
            guard column.type == .text || column.readAsText else {
                throw refuse("text matching applies to text columns; '\(column.name)' holds \(column.type.articleName)")
            }
            let text: String
            switch try single() {
            case .text(let given), .value(.text(let given)): text = given
            case .value(let value): throw refuse("filter on '\(column.name)' matches text, got \(value.kindName)")
            }
            guard text.unicodeScalars.count <= Self.maximumPatternLength else {
                throw refuse("a text to match may hold at most \(Self.maximumPatternLength) characters")
            }
            let pattern = TextPattern.of(match, text)
            guard pattern.wildcardCount <= Self.maximumPatternWildcards else {
                throw refuse("a pattern may hold at most \(Self.maximumPatternWildcards) wildcards")
            }
            return .like(column: column.name, pattern, negated: negated)
        }
    }

    /// The order of a read: the columns asked for, then the identity columns not among them.
    public func order(_ inputs: [SortInput], of resource: Resource) throws(RestableError) -> [SortKey] {
        guard inputs.count <= resource.columns.count else {
            throw RestableError(.invalidQuery, "an order may name each column of \(resource.name) once", resource: resource.name)
        }
        var order: [SortKey] = []
        var seen = Set<String>()
        for input in inputs {
            guard let column = resource.column(named: input.column) else {
                throw RestableError(
                    .unknownColumn, "\(resource.name) has no column '\(input.column)'", resource: resource.name, column: input.column)
            }
            guard seen.insert(column.name).inserted else {
                throw RestableError(.invalidQuery, "the order names '\(column.name)' twice", resource: resource.name, column: column.name)
            }
            order.append(SortKey(column.name, descending: input.descending))
        }
        for column in resource.identity where !seen.contains(column) { order.append(SortKey(column)) }
        return order
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

    /// True when a value of a column can start a page after a row: null, or a value of the
    /// column's type that reads back as itself (so that the database compares it as it ordered
    /// it), and not the marker of bytes that are not text. A page whose last row holds another
    /// has no cursor; a cursor that holds one is refused.
    static func cursorCarries(_ value: Value, of column: Column?) -> Bool {
        guard let column else { return false }
        if value.isNull { return true }
        if case .text(let text) = value, text.hasPrefix("\u{FFFF}blob:") { return false }
        return (try? column.type.coerce(value, column: column.name)) == value
    }

    public func plan(_ request: ListRequest) throws(RestableError) -> ReadPlan {
        let resource = try schema.require(request.resource)
        for (name, value) in [("limit", request.limit), ("offset", request.offset)] {
            if let value, value < 0 {
                throw RestableError(.invalidQuery, "\(name) must be zero or more, got \(value)")
            }
        }
        var predicate = try predicate(request.filter, of: resource)
        var order = try order(request.order, of: resource)
        var reversed = false
        if let cursor = request.cursor {
            guard !resource.key.isEmpty else {
                throw RestableError(.invalidQuery, "\(resource.name) has no key, so it cannot be paged by key", resource: resource.name)
            }
            if case .following(let values) = cursor {
                guard request.offset == nil else {
                    throw RestableError(.invalidQuery, "a page that starts after a row has no offset", resource: resource.name)
                }
                guard values.count == order.count else {
                    throw RestableError(
                        .invalidQuery, "a page in this order starts after \(order.count) values, got \(values.count)", resource: resource.name)
                }
                // A cursor is made by the server, but comes back from a client: each value must be
                // one the server would have put there.
                for (sort, value) in zip(order, values) where !Self.cursorCarries(value, of: resource.column(named: sort.column)) {
                    throw RestableError(.invalidQuery, "a page cursor holds a value that column '\(sort.column)' cannot hold", resource: resource.name)
                }
                predicate.conditions.append(.follows(order: order, values))
                return ReadPlan(resource: resource, predicate: predicate, order: order, limit: request.limit, offset: nil, reversed: false)
            }
            guard order == resource.key.map({ SortKey($0) }), request.offset == nil else {
                throw RestableError(.invalidQuery, "a page that starts at a key is in key order, without an offset", resource: resource.name)
            }
            switch cursor {
            case .after(let input):
                predicate.conditions.append(.after(columns: resource.key, try key(input, of: resource).values))
            case .before(let input):
                predicate.conditions.append(.before(columns: resource.key, try key(input, of: resource).values))
                order = resource.key.map { SortKey($0, descending: true) }
                reversed = true
            case .following:
                break
            }
        }
        return ReadPlan(resource: resource, predicate: predicate, order: order, limit: request.limit, offset: request.offset, reversed: reversed)
    }
}

import Logging
import RestableCore
import RestableSQL

/// The operations of one SQLite transaction, on the connection the store lent it. Every
/// SQLite error leaves it already translated to a ``RestableError``.
struct SQLiteSession: StoreSession {
    let connection: SQLiteConnection
    let builder: SQLBuilder
    let logger: Logger

    func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try translated { try connection.execute("SAVEPOINT restable") }
        do {
            let result = try await body()
            try translated { try connection.execute("RELEASE restable") }
            return result
        } catch {
            try translated { try connection.execute("ROLLBACK TO restable; RELEASE restable") }
            throw error
        }
    }

    /// Runs `body`, translating a SQLite error into the engine's taxonomy.
    private func translated<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw SQLiteErrorMapping.translate(error, logger: logger)
        }
    }

    func select(_ resource: Resource, where predicate: RowPredicate, limit: Int?, offset: Int?) async throws -> [Row] {
        if predicate.isTriviallyEmpty { return [] }
        let types = resource.columns.map { Optional($0.type) }
        let statements = builder.select(resource, where: predicate, limit: limit, offset: offset)
        if statements.count == 1 {
            return try translated { try connection.query(statements[0], types: types) }.map { Self.row($0, of: resource) }
        }
        var rows: [Row] = []
        for statement in builder.select(resource, where: predicate, limit: nil, offset: nil) {
            for values in try translated({ try connection.query(statement, types: types) }) {
                rows.append(Self.row(values, of: resource))
            }
        }
        return ChunkMerging.merge(rows, of: resource, limit: limit, offset: offset)
    }

    func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        if predicate.isTriviallyEmpty { return 0 }
        var total = 0
        for statement in builder.count(resource, where: predicate) {
            if case .integer(let count) = try translated({ try connection.query(statement, types: [.integer]) }).first?.first {
                total += Int(count)
            }
        }
        return total
    }

    func insert(_ resource: Resource, values: [String: Value]) async throws -> Row {
        let rows = try translated { try connection.query(builder.insert(resource, values: values), types: resource.columns.map { $0.type }) }
        guard let values = rows.first else {
            throw RestableError(.internalError, "the database returned no row for an insert")
        }
        return Self.row(values, of: resource)
    }

    func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int {
        if predicate.isTriviallyEmpty || values.isEmpty { return 0 }
        var changed = 0
        for statement in builder.update(resource, where: predicate, set: values) {
            changed += try translated { try connection.run(statement) }
        }
        return changed
    }

    func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        if predicate.isTriviallyEmpty { return 0 }
        var deleted = 0
        for statement in builder.delete(resource, where: predicate) {
            deleted += try translated { try connection.run(statement) }
        }
        return deleted
    }

    static func row(_ values: [Value], of resource: Resource) -> Row {
        var row = Row()
        for (column, value) in zip(resource.columns, values) { row.values[column.name] = value }
        return row
    }
}

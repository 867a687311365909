import Logging
import RestableCore
import RestableSQL

/// The operations of one SQLite transaction, on the connection the store lent it. Every
/// SQLite error leaves it already translated to a ``RestableError``.
struct SQLiteSession: StoreSession {
    let connection: SQLiteConnection
    let builder: SQLBuilder
    let logger: Logger

    /// Nothing to do: a write transaction holds SQLite's one write lock from its first statement.
    func serialize(on name: String) async throws {}

    func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await translated { try $0.executeNow("SAVEPOINT restable") }
        do {
            let result = try await body()
            try await translated { try $0.executeNow("RELEASE restable") }
            return result
        } catch {
            try await translated { try $0.executeNow("ROLLBACK TO restable; RELEASE restable") }
            throw error
        }
    }

    /// Runs `body` on the connection's thread, translating a SQLite error into the engine's taxonomy.
    private func translated<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        do {
            return try await connection.perform(body)
        } catch let error as SQLiteError {
            throw SQLiteErrorMapping.translate(error, logger: logger)
        }
    }

    func select(_ resource: Resource, where predicate: RowPredicate, order: [SortKey], limit: Int?, offset: Int?) async throws -> [Row] {
        if predicate.isTriviallyEmpty { return [] }
        let types = resource.columns.map { Optional($0.type) }
        let statements = builder.select(resource, where: predicate, order: order, limit: limit, offset: offset)
        if statements.count == 1 {
            let statement = statements[0]
            return try await translated { try $0.queryNow(statement, types: types) }.map { Self.row($0, of: resource) }
        }
        let chunks = builder.select(resource, where: predicate, order: order, limit: nil, offset: nil)
        let values = try await translated { connection in
            var values: [[Value]] = []
            for statement in chunks { values += try connection.queryNow(statement, types: types) }
            return values
        }
        return ChunkMerging.merge(values.map { Self.row($0, of: resource) }, of: resource, order: order, limit: limit, offset: offset)
    }

    func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        if predicate.isTriviallyEmpty { return 0 }
        let statements = builder.count(resource, where: predicate)
        return try await translated { connection in
            var total = 0
            for statement in statements {
                if case .integer(let count) = try connection.queryNow(statement, types: [.integer]).first?.first {
                    total += Int(count)
                }
            }
            return total
        }
    }

    func insert(_ resource: Resource, values: [String: Value]) async throws -> Row {
        let statement = builder.insert(resource, values: values)
        let types = resource.columns.map { Optional($0.type) }
        let rows = try await translated { try $0.queryNow(statement, types: types) }
        guard let values = rows.first else {
            throw RestableError(.internalError, "the database returned no row for an insert")
        }
        return Self.row(values, of: resource)
    }

    func append(_ resource: Resource, values: [String: Value]) async throws {
        _ = try await run([builder.insert(resource, values: values, returning: false)])
    }

    func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int {
        if predicate.isTriviallyEmpty || values.isEmpty { return 0 }
        return try await run(builder.update(resource, where: predicate, set: values))
    }

    func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        if predicate.isTriviallyEmpty { return 0 }
        return try await run(builder.delete(resource, where: predicate))
    }

    func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) async throws -> [Row] {
        if predicate.isTriviallyEmpty { return [] }
        let statements = builder.delete(resource, where: predicate, returning: columns)
        let types = columns.map { Optional($0.type) }
        let values = try await translated { connection in
            var values: [[Value]] = []
            for statement in statements { values += try connection.queryNow(statement, types: types) }
            return values
        }
        return values.map { Self.row($0, of: columns) }
    }

    func deleteJournaling(_ resource: Resource, where predicate: RowPredicate, columns: [Column]) async throws -> JournaledRows {
        if predicate.isTriviallyEmpty { return JournaledRows(count: 0, text: JournalCodec.encode([])) }
        // The rows are read, then deleted: in the write transaction nothing changes between the
        // two, and SQLite reads them faster than it returns them from a DELETE.
        let reads = builder.select(columns, of: resource, where: predicate)
        let deletes = builder.delete(resource, where: predicate)
        let types = columns.map { Optional($0.type) }
        return try await translated { connection in
            var writer = JournalCodec.Writer(capacity: 4096)
            for statement in reads { try connection.queryNow(statement, types: types, into: &writer) }
            var deleted = 0
            for statement in deletes { deleted += try connection.runNow(statement) }
            guard deleted == writer.rowCount else {
                throw RestableError(.internalError, "a delete removed \(deleted) rows where \(writer.rowCount) were read in the same transaction")
            }
            return JournaledRows(count: deleted, text: writer.text)
        }
    }

    /// Runs statements in one trip to the connection's thread; returns how many rows they changed.
    private func run(_ statements: [SQLStatement]) async throws -> Int {
        try await translated { connection in
            var changed = 0
            for statement in statements { changed += try connection.runNow(statement) }
            return changed
        }
    }

    static func row(_ values: [Value], of resource: Resource) -> Row {
        row(values, of: resource.columns)
    }

    static func row(_ values: [Value], of columns: [Column]) -> Row {
        var row = Row()
        for (column, value) in zip(columns, values) { row.values[column.name] = value }
        return row
    }
}

import Logging
import PostgresNIO
import RestableCore
import RestableSQL

/// The operations of one PostgreSQL transaction, on the connection the pool lent it.
///
/// In a write transaction every SELECT locks the rows it reads (`FOR UPDATE`): the targets of a
/// delete and the children it will cascade to or set null are read in key order, and stay as
/// they were read until the transaction ends. A concurrent insert of a child under a locked
/// parent waits for it too (its foreign-key check needs a lock that `FOR UPDATE` excludes).
struct PostgresSession: StoreSession {
    let connection: PostgresConnection
    let builder: SQLBuilder
    let locking: Bool
    let logger: Logger

    /// Runs one statement and returns its rows, decoded as the given column types.
    func rows(_ statement: SQLStatement, types: [ColumnType?]) async throws -> [[Value]] {
        do {
            // Every row is collected on the connection's event loop (the future API asks for the
            // next rows as soon as it has some). PostgresNIO 1.33's back-pressured row sequence
            // traps when the server closes the connection while the sequence waits for its
            // consumer, which a database restart during a large delete does.
            let result = try await Self.failingIfWrittenAfterClose(connection, connection.query(PostgresCodec.query(statement), logger: logger)).get()
            var rows: [[Value]] = []
            rows.reserveCapacity(result.rows.count)
            for row in result.rows {
                var values: [Value] = []
                values.reserveCapacity(types.count)
                for (index, cell) in row.enumerated() {
                    values.append(try PostgresCodec.value(cell, as: index < types.count ? types[index] : nil))
                }
                rows.append(values)
            }
            return rows
        } catch {
            if let state = PostgresErrorMapping.sqlState(error), PostgresErrorMapping.retryable.contains(state),
                let translated = PostgresErrorMapping.translate(error, logger: logger) as? RestableError
            {
                throw RetryableFailure(state: state, error: translated)
            }
            throw PostgresErrorMapping.translate(error, logger: logger)
        }
    }

    /// `query`'s result, or a connection failure if the query was written to a connection that
    /// had already closed: PostgresNIO 1.33 never completes such a query (its write has no
    /// promise), which would leave the request waiting forever. `connection.query` has queued its
    /// write on the event loop when this is called, so the check queued after it sees the channel
    /// as the write found it, or closed later, when the driver fails the query itself. Nothing is
    /// registered on the connection, which lives on in the pool.
    static func failingIfWrittenAfterClose<T>(_ connection: PostgresConnection, _ query: EventLoopFuture<T>) -> EventLoopFuture<T> {
        let promise = query.eventLoop.makePromise(of: T.self)
        query.cascade(to: promise)
        query.eventLoop.execute {
            if connection.isClosed { promise.fail(PostgresErrorMapping.unavailable) }
        }
        return promise.futureResult
    }

    /// Runs a statement without binds (BEGIN, SAVEPOINT, ...).
    func execute(_ sql: String) async throws {
        _ = try await rows(SQLStatement(sql), types: [])
    }

    /// A transaction-scoped advisory lock on the name's hash: held until COMMIT or ROLLBACK, by
    /// whichever server's transaction took it first. Two names with the same hash only wait for
    /// each other needlessly.
    func serialize(on name: String) async throws {
        _ = try await rows(SQLStatement("SELECT pg_advisory_xact_lock(hashtext($1))::text", binds: [.text(name)]), types: [.text])
    }

    func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await execute("SAVEPOINT restable")
        do {
            let result = try await body()
            try await execute("RELEASE SAVEPOINT restable")
            return result
        } catch {
            try await execute("ROLLBACK TO SAVEPOINT restable")
            try await execute("RELEASE SAVEPOINT restable")
            throw error
        }
    }

    func select(_ resource: Resource, where predicate: RowPredicate, order: [SortKey], limit: Int?, offset: Int?) async throws -> [Row] {
        let predicate = predicate.withoutUnstorableText
        if predicate.isTriviallyEmpty { return [] }
        let types = resource.columns.map { Optional($0.type) }
        let statements = builder.select(resource, where: predicate, order: order, limit: limit, offset: offset, lock: locking)
        if statements.count == 1 {
            return try await rows(statements[0], types: types).map { Self.row($0, of: resource) }
        }
        var values: [[Value]] = []
        for statement in builder.select(resource, where: predicate, order: order, limit: nil, offset: nil, lock: locking) {
            values += try await rows(statement, types: types)
        }
        return ChunkMerging.merge(values.map { Self.row($0, of: resource) }, of: resource, order: order, limit: limit, offset: offset)
    }

    func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        let predicate = predicate.withoutUnstorableText
        if predicate.isTriviallyEmpty { return 0 }
        var total = 0
        for statement in builder.count(resource, where: predicate) {
            if case .integer(let count) = try await rows(statement, types: [.integer]).first?.first { total += Int(count) }
        }
        return total
    }

    func insert(_ resource: Resource, values: [String: Value]) async throws -> Row {
        let types = resource.columns.map { Optional($0.type) }
        guard let stored = try await rows(builder.insert(resource, values: values), types: types).first else {
            throw RestableError(.internalError, "the database returned no row for an insert")
        }
        let row = Self.row(stored, of: resource)
        if let column = resource.keyColumns.first, resource.key.count == 1, column.generated, values[column.name] != nil,
            case .integer(let given) = row[column.name]
        {
            try await advanceSequence(of: resource, column: column.name, past: given)
        }
        return row
    }

    func append(_ resource: Resource, values: [String: Value]) async throws {
        _ = try await rows(builder.insert(resource, values: values, returning: false), types: [])
        if let column = resource.keyColumns.first, resource.key.count == 1, column.generated, case .integer(let given)? = values[column.name] {
            try await advanceSequence(of: resource, column: column.name, past: given)
        }
    }

    /// After an insert that gave a generated key explicitly (a seed row, a client that names its
    /// ids), moves the column's sequence past that value, so that the next generated key does not
    /// collide with it, as SQLite's AUTOINCREMENT does. It never moves a sequence back.
    private func advanceSequence(of resource: Resource, column: String, past value: Int64) async throws {
        let table = builder.flavor.quote(resource.table)
        let sequence = try await rows(
            SQLStatement("SELECT pg_get_serial_sequence($1, $2)", binds: [.text(table), .text(column)]), types: [.text])
        guard case .text(let name)? = sequence.first?.first else { return }
        let current = try await rows(SQLStatement("SELECT last_value, is_called FROM \(name)"), types: [.integer, .boolean])
        guard case .integer(let last)? = current.first?.first else { return }
        if value > last || (value == last && current.first?.last == .boolean(false)) {
            _ = try await rows(SQLStatement("SELECT setval($1, $2)", binds: [.text(name), .integer(value)]), types: [.integer])
        }
    }

    func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int {
        let predicate = predicate.withoutUnstorableText
        if predicate.isTriviallyEmpty || values.isEmpty { return 0 }
        var changed = 0
        for statement in builder.update(resource, where: predicate, set: values) { changed += try await affected(statement) }
        return changed
    }

    func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        let predicate = predicate.withoutUnstorableText
        if predicate.isTriviallyEmpty { return 0 }
        var changed = 0
        for statement in builder.delete(resource, where: predicate) { changed += try await affected(statement) }
        return changed
    }

    func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) async throws -> [Row] {
        let predicate = predicate.withoutUnstorableText
        if predicate.isTriviallyEmpty { return [] }
        let types = columns.map { Optional($0.type) }
        var deleted: [Row] = []
        for statement in builder.delete(resource, where: predicate, returning: columns) {
            deleted += try await rows(statement, types: types).map { Self.row($0, of: columns) }
        }
        return deleted
    }

    /// How many rows a DELETE or UPDATE changed (each returns a 1 per row).
    private func affected(_ statement: SQLStatement) async throws -> Int {
        var counted = statement
        counted.sql += " RETURNING 1"
        return try await rows(counted, types: [.integer]).count
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

/// A deadlock or serialization failure: the transaction is aborted and may run again from the
/// start; `error` is what the client gets if it never succeeds. Not a ``RestableError``, so that
/// the engine does not take it for the failure of one target and go on in an aborted transaction.
struct RetryableFailure: Error {
    var state: String
    var error: RestableError
}

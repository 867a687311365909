public import Logging
public import RestableCore
import RestableSQL
import Synchronization

/// The database cannot be opened (a missing directory, no permission, not a database): a
/// start-up error that retrying does not fix, unlike a busy database.
public struct SQLiteOpenError: Error, Sendable, CustomStringConvertible {
    /// The file, or `:memory:`.
    public var path: String
    /// SQLite's message (`unable to open database file`).
    public var message: String

    public var description: String { "cannot open the SQLite database '\(path)': \(message)" }
}

/// The embedded store: one SQLite database file (or an in-memory database).
///
/// A file database runs in WAL mode with one writer connection, whose transactions are
/// serialized (`BEGIN IMMEDIATE`: the write lock is held from the first statement, so rows read
/// in a write transaction cannot change under it), and a few reader connections beside it that
/// see consistent snapshots. An in-memory database has one connection for both.
public final class SQLiteStore: Store {
    /// Where the database lives.
    public enum Location: Sendable, Hashable {
        case file(String)
        case memory
    }

    let builder = SQLBuilder(flavor: SQLiteFlavor())
    private let writer: SQLiteConnection
    private let writerGate = AsyncGate(width: 1)
    private let readers: Mutex<[SQLiteConnection]>
    private let readerGate: AsyncGate?
    private let logger: Logger

    /// The default of ``init(_:readers:statementTimeout:synchronous:logger:)``'s statement timeout.
    public static let defaultStatementTimeout = Duration.seconds(30)

    /// When a committed write is on disk (SQLite's `PRAGMA synchronous`, on the writer).
    public enum Synchronous: String, Sendable, Hashable, CaseIterable {
        /// WAL's usual setting: a commit survives a crash of the process; the last commits
        /// before a power loss or an operating-system crash may be lost (the database stays whole).
        case normal
        /// Every commit is synced to disk before it returns: it survives a power loss too.
        case full
    }

    /// Opens (creating if needed) the database.
    /// - Parameters:
    ///   - readers: reader connections beside the writer (file databases only).
    ///   - statementTimeout: how long one statement may run before SQLite interrupts it (the
    ///     request fails with `timedOut` and rolls back); nil: no limit.
    ///   - synchronous: when a commit is durable.
    public init(
        _ location: Location, readers readerCount: Int = 4, statementTimeout: Duration? = SQLiteStore.defaultStatementTimeout,
        synchronous: Synchronous = .normal, logger: Logger = Logger(label: "restable.sqlite")
    ) throws {
        self.logger = logger
        do {
            switch location {
            case .memory:
                writer = try SQLiteConnection(path: ":memory:", statementTimeout: statementTimeout, logger: logger)
                readers = Mutex([])
                readerGate = nil
            case .file(let path):
                // Start-up, before anything shares the connections: these run on the caller's thread.
                writer = try SQLiteConnection(path: path, statementTimeout: statementTimeout, logger: logger)
                try writer.executeNow("PRAGMA journal_mode = WAL")
                var opened: [SQLiteConnection] = []
                for _ in 0..<max(1, readerCount) {
                    let reader = try SQLiteConnection(path: path, statementTimeout: statementTimeout, logger: logger)
                    try reader.executeNow("PRAGMA foreign_keys = ON; PRAGMA query_only = ON")
                    opened.append(reader)
                }
                readers = Mutex(opened)
                readerGate = AsyncGate(width: opened.count)
            }
            try writer.executeNow("PRAGMA foreign_keys = ON; PRAGMA synchronous = \(synchronous.rawValue.uppercased())")
        } catch let error as SQLiteError {
            let path: String
            switch location {
            case .memory: path = ":memory:"
            case .file(let file): path = file
            }
            throw SQLiteOpenError(path: path, message: error.message)
        }
    }

    public func prepare(_ schema: Schema, seed: [InsertPlan]) async throws -> [String] {
        try await writerGate.withGate {
            try await transaction(on: writer, begin: "BEGIN IMMEDIATE") {
                var created: [String] = []
                for resource in schema.parentsFirst {
                    let table = resource.table
                    let existing = try await writer.perform {
                        try $0.queryNow(SQLStatement("SELECT name FROM pragma_table_info(?)", binds: [.text(table)]), types: [.text])
                    }
                    if try TablePreparation.mustCreate(resource, columnRows: existing) {
                        let references = schema.references(of: resource.name)
                        let statements =
                            [builder.createTable(resource, references: references, schema: schema)]
                            + builder.createIndexes(resource, references: references)
                        try await writer.perform { connection in
                            for statement in statements { try connection.runNow(statement) }
                        }
                        created.append(resource.name)
                    }
                }
                let session = SQLiteSession(connection: writer, builder: builder, logger: logger)
                for plan in seed where created.contains(plan.resource.name) {
                    _ = try await session.insert(plan.resource, values: plan.values)
                }
                return created
            }
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        guard let readerGate else { return try await write(body) }
        return try await readerGate.withGate {
            let connection = readers.withLock { $0.removeLast() }
            defer { readers.withLock { $0.append(connection) } }
            return try await transaction(on: connection, begin: "BEGIN") {
                try await body(SQLiteSession(connection: connection, builder: builder, logger: logger))
            }
        }
    }

    /// Foreign keys are checked at COMMIT (`defer_foreign_keys`), as the engine applies a delete
    /// plan set-based, in an order that may pass through states the constraints would refuse.
    public func write<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await writerGate.withGate {
            try await transaction(on: writer, begin: "BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON") {
                try await body(SQLiteSession(connection: writer, builder: builder, logger: logger))
            }
        }
    }

    public func close() async {
        await writerGate.withGate {
            await writer.close()
            for reader in readers.withLock({ $0 }) { await reader.close() }
        }
    }

    /// Runs `body` between BEGIN and COMMIT; rolls back if it throws, and translates SQLite errors.
    private func transaction<T>(on connection: SQLiteConnection, begin: String, _ body: () async throws -> T) async throws -> T {
        do {
            try await connection.execute(begin)
        } catch let error as SQLiteError {
            throw SQLiteErrorMapping.translate(error, logger: logger)
        }
        do {
            let result = try await body()
            // A request whose client went away (or a server that is stopping) rolls back
            // rather than commit what nobody will hear about.
            try Task.checkCancellation()
            try await connection.execute("COMMIT")
            return result
        } catch {
            do {
                if await !connection.inAutocommitMode() { try await connection.execute("ROLLBACK") }
            } catch {
                logger.error("rollback failed", metadata: ["error": "\(error)"])
            }
            if let error = error as? SQLiteError { throw SQLiteErrorMapping.translate(error, logger: logger) }
            throw error
        }
    }
}

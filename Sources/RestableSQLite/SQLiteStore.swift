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
///
/// On a file, concurrent writes share commits (group commit): each request runs its own checks
/// and changes inside a savepoint of one open transaction, and a request that finishes while
/// others wait for the writer leaves the transaction open for them; the last one commits for
/// all (with `synchronous: .full`, one disk sync), and only then does any of them answer. A
/// request that fails rolls back its own savepoint only.
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
    /// Set for a file database (an in-memory one has no commit worth sharing).
    private let groupCommit: Bool
    /// The transaction that the writes of a commit group share (group commit only).
    private let group = CommitGroup()
    /// How many writes wait to join a commit group (counted before they wait for the writer).
    private let writesWaiting = Atomic<Int>(0)
    /// The most writes one commit may carry: a bound on how long the first of them waits.
    static let largestCommitGroup = 64
    /// How many group commits have completed (for tests: fewer commits than writes shows the
    /// writes shared them).
    let groupCommits = Atomic<Int>(0)

    /// How many reader connections a file database opens beside its writer, unless told otherwise.
    public static let defaultReaders = 4

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
        _ location: Location, readers readerCount: Int = SQLiteStore.defaultReaders, statementTimeout: Duration? = SQLiteStore.defaultStatementTimeout,
        synchronous: Synchronous = .normal, logger: Logger = Logger(label: "restable.sqlite")
    ) throws {
        self.logger = logger
        if case .file = location { groupCommit = true } else { groupCommit = false }
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
            try writer.executeNow("PRAGMA foreign_keys = ON; PRAGMA synchronous = \(synchronous.rawValue.uppercased()); PRAGMA cache_size = -65536")
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
            try await commitGroup().get()
            return try await transaction(on: writer, begin: "BEGIN IMMEDIATE") {
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
            return try await withTaskExecutorPreference(connection.executor) {
                try await transaction(on: connection, begin: "BEGIN") {
                    try await body(SQLiteSession(connection: connection, builder: builder, logger: logger))
                }
            }
        }
    }

    /// Foreign keys are checked at COMMIT (`defer_foreign_keys`), as the engine applies a delete
    /// plan set-based, in an order that may pass through states the constraints would refuse.
    public func write<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        // Counted here, before the hop to the writer's thread: a write running there must see
        // the writes queued behind it to leave its transaction open for them.
        if groupCommit { writesWaiting.add(1, ordering: .relaxed) }
        // The whole transaction runs on the writer's thread (waiting for the gate there too).
        return try await withTaskExecutorPreference(writer.executor) {
            if groupCommit { return try await writeInGroup(body) }
            return try await writerGate.withGate {
                try await transaction(on: writer, begin: "BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON") {
                    try await writer.stoppingWhenCancelled {
                        try await body(SQLiteSession(connection: writer, builder: builder, logger: logger))
                    }
                }
            }
        }
    }

    /// A write that shares its transaction with no other: the group open now is committed
    /// first (its members do not wait for this write), and this one commits as soon as it is done.
    public func writeAlone<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        guard groupCommit else { return try await write(body) }
        return try await withTaskExecutorPreference(writer.executor) {
            try await writerGate.withGate {
                _ = await commitGroup()
                return try await transaction(on: writer, begin: "BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON") {
                    try await writer.stoppingWhenCancelled {
                        try await body(SQLiteSession(connection: writer, builder: builder, logger: logger))
                    }
                }
            }
        }
    }

    /// No: SQLite has one writer, and a write waits for the open one to end.
    public var writesConcurrently: Bool { false }

    public func close() async {
        await writerGate.withGate {
            _ = await commitGroup()
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

// MARK: Group commit

/// The write transaction a commit group shares, and the writes of the group that wait for its
/// commit. Read and changed only by the holder of the writer gate.
private final class CommitGroup: @unchecked Sendable {
    var open = false
    var waiting: [CheckedContinuation<Void, any Error>] = []
}

extension SQLiteStore {
    /// One write as a member of a commit group: its work in a savepoint of the group's
    /// transaction, then either the transaction passed on to a write that waits, or the commit
    /// of every member so far. Answers only once its work is committed (or has failed).
    /// The caller has counted itself in ``writesWaiting``.
    private func writeInGroup<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        await writerGate.acquire()
        writesWaiting.subtract(1, ordering: .relaxed)
        let outcome = await runMember(body)
        if group.open, writesWaiting.load(ordering: .relaxed) > 0, group.waiting.count + 1 < Self.largestCommitGroup {
            switch outcome {
            case .success(let value):
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    group.waiting.append(continuation)
                    writerGate.release()
                }
                return value
            case .failure(let error):
                writerGate.release()
                throw error
            }
        }
        let committed = await commitGroup()
        writerGate.release()
        let value = try outcome.get()
        try committed.get()
        return value
    }

    /// Runs one member's work in a savepoint, opening the group's transaction if none is open.
    /// On failure only the savepoint is rolled back, unless SQLite rolled back the whole
    /// transaction itself (an interrupted statement, a full disk): then every member waiting
    /// for the commit fails too, having changed nothing.
    private func runMember<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async -> Result<T, any Error> {
        // Only the first member's statements may be interrupted when its task is cancelled: an
        // interrupted change rolls back the whole transaction, which later members share.
        let first = !group.open
        do {
            if !group.open {
                try await writer.execute("BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON")
                group.open = true
            }
            try await writer.execute("SAVEPOINT restable_member")
        } catch {
            await abandonGroup(because: error)
            return .failure(translated(error))
        }
        do {
            let value = try await writer.stoppingWhenCancelled(first) {
                try await body(SQLiteSession(connection: writer, builder: builder, logger: logger))
            }
            // A request whose client went away (or a server that is stopping) rolls back
            // rather than commit what nobody will hear about.
            try Task.checkCancellation()
            try await writer.perform { connection in
                // Foreign keys are deferred to COMMIT; a member that left one unresolved fails
                // here, alone, as its own COMMIT would have failed.
                try connection.requireForeignKeysResolved()
                try connection.executeNow("RELEASE restable_member")
            }
            return .success(value)
        } catch {
            if await writer.inAutocommitMode() {
                await abandonGroup(because: error)
            } else {
                do {
                    try await writer.execute("ROLLBACK TO restable_member; RELEASE restable_member")
                } catch {
                    logger.error("rollback to a savepoint failed", metadata: ["error": "\(error)"])
                    await abandonGroup(because: error)
                }
            }
            return .failure(translated(error))
        }
    }

    /// Commits the group's transaction, if one is open, and answers every member waiting for it.
    fileprivate func commitGroup() async -> Result<Void, any Error> {
        guard group.open else { return .success(()) }
        let waiting = group.waiting
        group.waiting = []
        group.open = false
        let result: Result<Void, any Error>
        do {
            try await writer.execute("COMMIT")
            groupCommits.add(1, ordering: .relaxed)
            result = .success(())
        } catch {
            if await !writer.inAutocommitMode() { try? await writer.execute("ROLLBACK") }
            result = .failure(translated(error))
        }
        for member in waiting { member.resume(with: result) }
        return result
    }

    /// Ends the group's transaction without committing it: the members waiting for its commit
    /// fail with `storeBusy` (retry; nothing of theirs was changed).
    private func abandonGroup(because error: any Error) async {
        guard group.open else { return }
        group.open = false
        if await !writer.inAutocommitMode() { try? await writer.execute("ROLLBACK") }
        let waiting = group.waiting
        group.waiting = []
        guard !waiting.isEmpty else { return }
        logger.warning("a write transaction shared by several requests was rolled back", metadata: ["error": "\(error)"])
        let failure = RestableError(
            .storeBusy, "the database rolled back the transaction this request shared with others; nothing was changed: retry the request",
            retryAfter: 1)
        for member in waiting { member.resume(throwing: failure) }
    }

    private func translated(_ error: any Error) -> any Error {
        if let error = error as? SQLiteError { return SQLiteErrorMapping.translate(error, logger: logger) }
        return error
    }
}

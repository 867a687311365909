public import Logging
import NIOSSL
import PostgresNIO
public import RestableCore
import RestableSQL
import Synchronization

/// The production store: a PostgreSQL database (or a Postgres-compatible distributed engine)
/// through PostgresNIO's connection pool.
///
/// Writes run at READ COMMITTED with every row they read locked (`FOR UPDATE`, in key order), so
/// a check and the change it allows see the same rows, and two servers on one database cannot
/// both win a race for a row. A transaction that fails with a deadlock or a serialization
/// failure is run again from the start, a bounded number of times with random pauses between;
/// after that the request is answered 503 with `Retry-After`, never with a partial result.
/// Reads run in a REPEATABLE READ READ ONLY transaction: one consistent snapshot.
///
/// The pool runs in a task the store owns, from ``init(_:logger:)`` to ``close()``. When the
/// database goes away, requests fail with `storeUnavailable` (503) after the connect timeout, and
/// the pool reconnects by itself once it is back.
public final class PostgresStore: Store {
    let builder = SQLBuilder(flavor: PostgresFlavor())
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    let location: PostgresLocation
    private let logger: Logger

    /// Whether a foreign key on the search path is deferrable but checked at once by default (an
    /// existing table's `DEFERRABLE INITIALLY IMMEDIATE`). Only then does a write need `SET
    /// CONSTRAINTS ALL DEFERRED`, a round trip that every write would otherwise pay (the keys
    /// Restable creates are deferred already). Learnt on the first write, and again after
    /// ``prepare(_:seed:)``.
    private let deferrableImmediate = Mutex<Bool?>(nil)

    /// How many times a transaction runs when it keeps meeting deadlocks or serialization failures.
    public static let maximumAttempts = 5

    public init(_ location: PostgresLocation, logger: Logger = Logger(label: "restable.postgres")) {
        self.location = location
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: Self.tls(location.sslMode))
        configuration.options.maximumConnections = location.poolSize
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = location.connectTimeout
        let statementTimeout = location.statementTimeout.components
        let milliseconds = statementTimeout.seconds * 1000 + statementTimeout.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters = [
            ("application_name", "restable"),
            ("search_path", location.schema),
            ("statement_timeout", String(milliseconds)),
        ]
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// libpq's sslmode as PostgresNIO's TLS setting.
    static func tls(_ mode: PostgresLocation.SSLMode) -> PostgresClient.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(unverified)
        case .require: return .require(unverified)
        case .verifyCA:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .noHostnameVerification
            return .require(configuration)
        case .verifyFull: return .require(.makeClientConfiguration())
        }
    }

    /// The first key of the advisory lock that start-up holds while it creates tables ("REST");
    /// the second is the schema's hash.
    static let preparationLock: Int32 = 0x5245_5354

    public func prepare(_ schema: Schema, seed: [InsertPlan]) async throws -> [String] {
        defer { deferrableImmediate.withLock { $0 = nil } }
        return try await write { session in
            guard let session = session as? PostgresSession else { return [] }
            // Servers that start together on one schema take turns: the first creates and seeds
            // the tables, the others wait for its commit and then find them.
            _ = try await session.rows(
                SQLStatement("SELECT 1 FROM (SELECT pg_advisory_xact_lock(\(Self.preparationLock), hashtext(current_schema()))) AS locked"),
                types: [.integer])
            var created: [Resource] = []
            for resource in schema.parentsFirst {
                let existing = try await session.rows(
                    SQLStatement(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
                        binds: [.text(resource.table)]),
                    types: [.text])
                if try TablePreparation.mustCreate(resource, columnRows: existing) {
                    let references = schema.references(of: resource.name)
                    _ = try await session.rows(self.builder.createTable(resource, references: references, schema: schema), types: [])
                    created.append(resource)
                }
            }
            // Foreign keys once every table exists: relationships may form cycles.
            for resource in created {
                let references = schema.references(of: resource.name)
                let statements =
                    self.builder.addForeignKeys(resource, references: references, schema: schema)
                    + self.builder.createIndexes(resource, references: references)
                for statement in statements { _ = try await session.rows(statement, types: []) }
            }
            let createdNames = created.map(\.name)
            for plan in seed where createdNames.contains(plan.resource.name) {
                _ = try await session.insert(plan.resource, values: plan.values)
            }
            return createdNames
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        do {
            return try await transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", locking: false, body)
        } catch let failure as RetryableFailure {
            throw failure.error
        }
    }

    /// Runs `body` in a transaction, again from the start when the database reports a deadlock or
    /// a serialization failure (up to ``maximumAttempts`` times, with a random pause that grows).
    public func write<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                let begin = try await deferringNeeded() ? "BEGIN ISOLATION LEVEL READ COMMITTED; SET CONSTRAINTS ALL DEFERRED" : "BEGIN ISOLATION LEVEL READ COMMITTED"
                return try await transaction(begin: begin, locking: true, body)
            } catch let failure as RetryableFailure {
                guard attempt < Self.maximumAttempts else {
                    logger.warning("gave up after repeated deadlocks or serialization failures", metadata: ["attempts": "\(attempt)"])
                    throw failure.error
                }
                let pause = Double.random(in: 0.005...0.020) * Double(1 << (attempt - 1))
                logger.debug("retrying a transaction", metadata: ["attempt": "\(attempt)", "sqlstate": "\(failure.state)"])
                try await Task.sleep(for: .seconds(pause))
                attempt += 1
            }
        }
    }

    /// See ``deferrableImmediate``.
    private func deferringNeeded() async throws -> Bool {
        if let known = deferrableImmediate.withLock({ $0 }) { return known }
        let found = try await read { session in
            guard let session = session as? PostgresSession else { return true }
            let rows = try await session.rows(
                SQLStatement(
                    """
                    SELECT EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                    WHERE c.contype = 'f' AND c.condeferrable AND NOT c.condeferred AND n.nspname = ANY (current_schemas(false)))
                    """), types: [.boolean])
            return rows.first?.first != .boolean(false)
        }
        deferrableImmediate.withLock { $0 = found }
        return found
    }

    /// Yes: transactions that touch different rows write side by side.
    public var writesConcurrently: Bool { true }

    public func close() async {
        runner.cancel()
        await runner.value
    }

    private func transaction<T: Sendable>(
        begin: String, locking: Bool, _ body: @Sendable (any StoreSession) async throws -> T
    ) async throws -> T {
        try await withLease { connection in
            let session = PostgresSession(connection: connection, builder: self.builder, locking: locking, logger: self.logger)
            for statement in begin.split(separator: "; ") { try await session.execute(String(statement)) }
            do {
                let result = try await body(session)
                // A request whose client went away (or a server that is stopping) rolls back
                // rather than commit what nobody will hear about.
                try Task.checkCancellation()
                try await session.execute("COMMIT")
                return result
            } catch {
                // A closed connection has no transaction left: the server rolled it back.
                if connection.isClosed { throw error }
                do {
                    try await session.execute("ROLLBACK")
                } catch {
                    self.logger.warning("rollback failed; the connection is dropped", metadata: ["error": "\(error)"])
                }
                throw error
            }
        }
    }

    /// Lends a connection from the pool to `body`; waits at most the connect timeout for one, then
    /// fails with `storeUnavailable` (503) rather than queue forever while the database is away.
    private func withLease<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            // The task group below awaits both of its tasks before it returns, so `body` does not
            // outlive this call.
            return try await withoutActuallyEscaping(body) { body in
                try await race(body)
            }
        } catch let failure as RetryableFailure {
            throw failure
        } catch {
            throw PostgresErrorMapping.translate(error, logger: logger)
        }
    }

    private func race<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let leased = LeaseFlag()
        let client = client
        let timeout = location.connectTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    leased.set()
                    return try await body(connection)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
                if !leased.isSet {
                    group.cancelAll()
                    throw PostgresErrorMapping.unavailable
                }
            }
            throw PostgresErrorMapping.unavailable
        }
    }
}

/// Set once a connection has been lent: after that, the connect timeout no longer applies.
private final class LeaseFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

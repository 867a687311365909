public import Foundation
public import Logging
import NIOCore
import PostgresNIO
public import RestableCore
public import RestablePostgres

/// A PostgreSQL schema of its own for one test, in the database that `RESTABLE_POSTGRES_URL`
/// names, dropped with everything in it by ``drop()``.
///
/// Tests that run on PostgreSQL are skipped when the variable is unset; `.ci/run` starts a
/// throw-away cluster and sets it.
public struct PostgresScratch: Sendable {
    /// The location of the test database, with ``schema`` as the schema it serves.
    public let location: PostgresLocation
    /// The schema's name: `restable_test_` and a random suffix.
    public let schema: String

    /// The test database, if `RESTABLE_POSTGRES_URL` is set (and not empty).
    public static var baseLocation: PostgresLocation? {
        guard let url = ProcessInfo.processInfo.environment["RESTABLE_POSTGRES_URL"], !url.isEmpty else { return nil }
        do {
            return try PostgresLocation(url: url)
        } catch {
            fatalError("RESTABLE_POSTGRES_URL is not a PostgreSQL URL: \(error.description)")
        }
    }

    /// Whether the PostgreSQL tests run.
    public static var isAvailable: Bool { baseLocation != nil }

    /// Creates a fresh, empty schema.
    public static func create() async throws -> PostgresScratch {
        try await create(count: 1)[0]
    }

    /// Creates `count` fresh, empty schemas, taking their permits at once: a test that needs
    /// two stores must not hold one permit while it waits for the second, or tests that each
    /// hold one would wait for each other for ever.
    public static func create(count: Int) async throws -> [PostgresScratch] {
        guard let base = baseLocation else {
            throw ScratchError(message: "RESTABLE_POSTGRES_URL is not set")
        }
        await permits.acquire(count)
        var made: [PostgresScratch] = []
        do {
            for _ in 0..<count {
                var location = base
                let schema = "restable_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
                location.schema = schema
                location.poolSize = 3
                // A loaded two-core machine running every suite at once can take more than the
                // default 10 seconds to open a connection.
                location.connectTimeout = .seconds(60)
                let scratch = PostgresScratch(location: location, schema: schema)
                try await scratch.execute("CREATE SCHEMA \"\(schema)\"")
                made.append(scratch)
            }
        } catch {
            for scratch in made { await scratch.drop() }
            await permits.release(count - made.count)
            throw error
        }
        return made
    }

    /// Runs SQL in the schema: one statement, or several separated by `;` at the end of a line.
    /// Returns the text of every cell of the last statement's rows.
    @discardableResult
    public func execute(_ script: String) async throws -> [[String?]] {
        let connection = try await Self.connect(location)
        defer { Task { try? await connection.close() } }
        _ = try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \"\(schema)\""), logger: Self.logger)
        var result: [[String?]] = []
        for statement in Self.statements(script) {
            result = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.logger) {
                result.append(row.map { cell in cell.bytes.map { String(buffer: $0) } })
            }
        }
        return result
    }

    /// Drops the schema and everything in it.
    public func drop() async {
        do {
            try await execute("DROP SCHEMA \"\(schema)\" CASCADE")
        } catch {
            Self.logger.error("could not drop test schema \(schema): \(error)")
        }
        await Self.permits.release()
    }

    /// Tests run in parallel; at most this many scratch schemas are open at once, so that their
    /// pools stay within the server's `max_connections` (each holds at most 4 connections).
    static let permits = Permits(16)

    /// A script cut into statements at each `;` that ends a line.
    static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines).dropLast().description)
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }

    static let logger: Logger = {
        var logger = Logger(label: "restable.test.postgres")
        logger.logLevel = .critical
        return logger
    }()

    static func connect(_ location: PostgresLocation) async throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }
}

/// A scratch schema that could not be made.
public struct ScratchError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A PostgreSQL store in a scratch schema, which closing also drops.
public final class ScratchPostgresStore: Store, DatabaseIntrospecting {
    public let scratch: PostgresScratch
    let store: PostgresStore

    public init(_ scratch: PostgresScratch, logger: Logger) {
        self.scratch = scratch
        store = PostgresStore(scratch.location, logger: logger)
    }

    /// A store in a fresh scratch schema.
    public static func create(logger: Logger) async throws -> ScratchPostgresStore {
        ScratchPostgresStore(try await PostgresScratch.create(), logger: logger)
    }

    /// Two stores in fresh scratch schemas, whose permits are taken at once.
    public static func createPair(logger: Logger) async throws -> (ScratchPostgresStore, ScratchPostgresStore) {
        let scratches = try await PostgresScratch.create(count: 2)
        return (ScratchPostgresStore(scratches[0], logger: logger), ScratchPostgresStore(scratches[1], logger: logger))
    }

    public func prepare(_ schema: Schema, seed: [InsertPlan]) async throws -> [String] {
        try await store.prepare(schema, seed: seed)
    }

    public func read<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await store.read(body)
    }

    public func write<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await store.write(body)
    }

    public func describe() async throws -> DatabaseDescription {
        try await store.describe()
    }

    public var writesConcurrently: Bool { true }

    public func close() async {
        await store.close()
        await scratch.drop()
    }
}

/// A counting semaphore for tasks; a waiter for several permits gets them together, in the
/// order the waiters came.
actor Permits {
    private var available: Int
    private var waiting: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    init(_ count: Int) { available = count }

    func acquire(_ count: Int = 1) async {
        if waiting.isEmpty && available >= count {
            available -= count
            return
        }
        await withCheckedContinuation { waiting.append((count, $0)) }
    }

    func release(_ count: Int = 1) {
        available += count
        while let first = waiting.first, first.count <= available {
            available -= first.count
            waiting.removeFirst().continuation.resume()
        }
    }
}

import Foundation
import Logging
import RestableCore
import RestablePostgres
import RestableSQLite
import RestableTestSupport
import Testing

/// The time limits: a statement past the statement timeout is stopped by the database (SQLite
/// interrupts it, PostgreSQL cancels it), a request past the request timeout stops at its next
/// statement; either way the request is `timedOut` and nothing changes.
@Suite struct TimeoutTests {
    static let item = Resource(name: "item", key: ["id"], columns: [Column(name: "id", type: .integer)])
    static let schema = Schema(resources: [item])

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func deleteOneAndTwo(_ engine: Engine) async throws(RestableError) -> ChangeOutcome {
        let keys = [1, 2].map { KeyedTarget(key: .parts(["\($0)"])) }
        return try await engine.deleteMany(BulkDeleteRequest(resource: "item", selection: .keys(KeyList(keys))))
    }

    static func ids(_ engine: Engine) async throws -> [Int64] {
        try await engine.list(ListRequest(resource: "item")).compactMap { row -> Int64? in
            if case .integer(let id) = row["id"] { id } else { nil }
        }
    }

    /// A trigger whose query would count to a billion makes each delete statement slow.
    @Test func aSQLiteStatementPastTheStatementTimeoutIsInterruptedAndNothingChanges() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-timeout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("slow.sqlite").path
        try HandMadeSQLite.create(
            at: path,
            """
            CREATE TABLE item (id INTEGER PRIMARY KEY);
            INSERT INTO item VALUES (1), (2), (3);
            CREATE TRIGGER slow BEFORE DELETE ON item BEGIN
              SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT x FROM c);
            END;
            """)
        let store = try SQLiteStore(.file(path), statementTimeout: .milliseconds(200), logger: Self.logger)
        let engine = Engine(schema: Self.schema, store: store, logger: Self.logger)
        // Only the database's own interruption answers timedOut: uninterrupted, the delete would
        // finish (minutes later) and succeed. No wall-clock bound: the suite runs tests in
        // parallel on two cores, where a task may wait for a thread far longer than the limit.
        let error = await #expect(throws: RestableError.self) { try await Self.deleteOneAndTwo(engine) }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("statement timeout") == true)
        #expect(try await Self.ids(engine) == [1, 2, 3])
        // The writer is usable again: a write that is quick succeeds.
        _ = try await engine.create(CreateRequest(resource: "item", values: ["id": .integer(4)]))
        #expect(try await Self.ids(engine) == [1, 2, 3, 4])
        await store.close()
    }

    @Test(.enabled(if: PostgresScratch.isAvailable))
    func aPostgresStatementPastTheStatementTimeoutIsCancelledAndNothingChanges() async throws {
        let scratch = try await PostgresScratch.create()
        try await scratch.execute(
            """
            CREATE TABLE item (id integer PRIMARY KEY);
            INSERT INTO item VALUES (1), (2), (3);
            CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN PERFORM pg_sleep(5); RETURN OLD; END';
            CREATE TRIGGER slow BEFORE DELETE ON item FOR EACH ROW EXECUTE FUNCTION slow();
            """)
        var location = scratch.location
        location.statementTimeout = .milliseconds(300)
        let store = PostgresStore(location, logger: Self.logger)
        let engine = Engine(schema: Self.schema, store: store, logger: Self.logger)
        #expect(try await Self.ids(engine) == [1, 2, 3])
        // Only PostgreSQL's cancellation (SQLSTATE 57014) answers timedOut: uncancelled, the
        // delete would succeed after ten seconds of triggers. No wall-clock bound: a loaded
        // parallel run once kept this task from a thread for 39 s (CI, stop 25).
        let error = await #expect(throws: RestableError.self) { try await Self.deleteOneAndTwo(engine) }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("statement timeout") == true)
        #expect(error?.retryAfter == nil)
        #expect(try await Self.ids(engine) == [1, 2, 3])
        await store.close()
        await scratch.drop()
    }

    /// Each delete statement takes longer than the whole request may: the statement finishes,
    /// the request stops before it commits, and the delete is rolled back.
    @Test func aRequestPastTheRequestTimeoutRollsBack() async throws {
        let store = SlowDeletes(base: try SQLiteStore(.memory, logger: Self.logger), pause: .milliseconds(300))
        _ = try await store.prepare(Self.schema, seed: [])
        var engine = Engine(schema: Self.schema, store: store, logger: Self.logger)
        for id in 1...3 { _ = try await engine.create(CreateRequest(resource: "item", values: ["id": .integer(Int64(id))])) }
        engine.requestTimeout = .milliseconds(100)
        let error = await #expect(throws: RestableError.self) {
            try await Self.deleteOneAndTwo(engine.acting(as: .unrestricted))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("request timeout of 0.1 s") == true)
        #expect(try await Self.ids(engine) == [1, 2, 3])
        // A quick request under the same limit goes through.
        engine.requestTimeout = .seconds(30)
        #expect(try await Self.deleteOneAndTwo(engine.acting(as: .unrestricted)).kind == .all)
        #expect(try await Self.ids(engine) == [3])
    }

    @Test func aRequestThatNamesMoreKeysThanAllowedIsRefusedWholeAndNothingChanges() async throws {
        let store = try SQLiteStore(.memory, logger: Self.logger)
        _ = try await store.prepare(Self.schema, seed: [])
        var engine = Engine(schema: Self.schema, store: store, logger: Self.logger)
        for id in 1...3 { _ = try await engine.create(CreateRequest(resource: "item", values: ["id": .integer(Int64(id))])) }
        engine.maximumKeys = 1
        let error = await #expect(throws: RestableError.self) { try await Self.deleteOneAndTwo(engine) }
        #expect(error?.code == .planTooLarge)
        #expect(error?.message.contains("more than 1 keys") == true)
        let batch = BatchRequest(operations: [
            .delete(resource: "item", key: .parts(["1"]), precondition: .none),
            .delete(resource: "item", key: .parts(["2"]), precondition: .none),
        ])
        let batchError = await #expect(throws: RestableError.self) { try await engine.batch(batch) }
        #expect(batchError?.code == .planTooLarge)
        #expect(try await Self.ids(engine) == [1, 2, 3])
        engine.maximumKeys = 2
        #expect(try await Self.deleteOneAndTwo(engine).kind == .all)
    }
}

/// A store whose every delete statement takes `pause` longer.
struct SlowDeletes: Store {
    let base: any Store
    let pause: Duration

    func prepare(_ schema: Schema, seed: [InsertPlan]) async throws -> [String] { try await base.prepare(schema, seed: seed) }
    func read<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T { try await base.read(body) }
    func write<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        let pause = pause
        return try await base.write { session in try await body(SlowSession(base: session, pause: pause)) }
    }
    var writesConcurrently: Bool { base.writesConcurrently }
    func close() async { await base.close() }

    struct SlowSession: StoreSession {
        let base: any StoreSession
        let pause: Duration
        func select(_ resource: Resource, where predicate: RowPredicate, order: [SortKey], limit: Int?, offset: Int?) async throws -> [Row] {
            try await base.select(resource, where: predicate, order: order, limit: limit, offset: offset)
        }
        func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int { try await base.count(resource, where: predicate) }
        func insert(_ resource: Resource, values: [String: Value]) async throws -> Row { try await base.insert(resource, values: values) }
        func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int {
            try await base.update(resource, where: predicate, set: values)
        }
        func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
            let deleted = try await base.delete(resource, where: predicate)
            try await Task.sleep(for: pause)
            return deleted
        }
        func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) async throws -> [Row] {
            let deleted = try await base.delete(resource, where: predicate, returning: columns)
            try await Task.sleep(for: pause)
            return deleted
        }
        func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T { try await base.savepoint(body) }
        func serialize(on name: String) async throws { try await base.serialize(on: name) }
    }
}

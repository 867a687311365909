import Foundation
import Logging
import RestableApp
import RestableCore
import RestablePostgres
import RestableTestSupport
import Synchronization
import Testing

/// What two servers on one database share: the hourly row budget (kept in the database and
/// charged in the delete's transaction) and signed-in sessions.
@Suite struct SharedAccessStateTests {
    /// A second engine on the same database, as a second server behind a load balancer has.
    static func secondServer(_ demo: DemoStore, kind: StoreKind) async throws -> (Engine, any Store) {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store: any Store
        switch kind {
        case .postgres:
            let scratch = try #require(demo.store as? ScratchPostgresStore)
            store = PostgresStore(scratch.scratch.location, logger: logger)
        default:
            store = try openStore(.sqliteFile(demo.directory!.appendingPathComponent("demo.sqlite").path), logger: logger)
        }
        let engine = Engine(schema: demo.engine.schema, store: store, logger: logger)
        return (engine, store)
    }

    static func prepareOwnTables(_ store: any Store) async throws {
        _ = try await store.prepare(Schema(resources: [RestableTables.rowBudget, RestableTables.sessions]), seed: [])
    }

    /// A test clock both servers read: milliseconds, moved by the test.
    final class TestClock: Sendable {
        let now = Atomic<Int64>(1_800_000_000_000)
        func advance(seconds: Int64) { now.add(seconds * 1000, ordering: .sequentiallyConsistent) }
        var read: @Sendable () -> Int64 { { self.now.load(ordering: .sequentiallyConsistent) } }
    }

    @Test(arguments: StoreKind.durable)
    func twoServersChargeOneHourlyBudget(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let (other, otherStore) = try await Self.secondServer(demo, kind: kind)
            defer { Task { await otherStore.close() } }
            try await Self.prepareOwnTables(demo.store)
            let clock = TestClock()
            let role = Role(name: "loader", grants: ["user": [.delete], "campaign": [.update]], maxRowsPerHour: 4)
            let access = Access.principal(Principal(name: "apikey:loader", roles: ["loader"]), AccessRules(roles: ["loader": role]))
            var first = demo.engine.acting(as: access)
            first.clock = clock.read
            var second = other.acting(as: access)
            second.clock = clock.read
            // Users 1, 4 and 5 have no campaigns (one row each); users 2 and 3 detach campaigns.
            let engines = [first, second]
            let results = await withTaskGroup(of: (Int, RestableError?).self) { group in
                for (index, user) in ["1", "4", "5", "2"].enumerated() {
                    let engine = engines[index % 2]
                    group.addTask {
                        do {
                            let outcome = try await engine.delete(DeleteRequest(resource: "user", key: .parts([user])))
                            return (outcome.counts.total, nil)
                        } catch {
                            return (0, error as? RestableError)
                        }
                    }
                }
                var results: [(Int, RestableError?)] = []
                for await result in group { results.append(result) }
                return results
            }
            let charged = results.reduce(0) { $0 + $1.0 }
            #expect(charged <= 4)
            #expect(results.contains { $0.1 != nil })
            let refusals = results.compactMap(\.1)
            #expect(refusals.allSatisfy { $0.code == .overBudget && ($0.retryAfter ?? 0) > 0 })
            let removedUsers = try await 5 - demo.rows("user").count
            let detached = try await demo.rows("campaign").filter { $0["created_by"] == .null }.count
            #expect(charged == removedUsers + detached)
            #expect(refusals.count == 4 - results.filter { $0.1 == nil }.count)
            // Anything more is refused now, on either server, and nothing changes...
            let before = try await demo.snapshot()
            let refused = await #expect(throws: RestableError.self) {
                try await second.delete(DeleteRequest(resource: "user", key: .parts(["3"])))
            }
            #expect(refused?.code == .overBudget)
            #expect(try await demo.snapshot() == before)
            // ...until the hour has passed.
            clock.advance(seconds: 3_601)
            let later = try await first.delete(DeleteRequest(resource: "user", key: .parts(["3"])))
            #expect(later.counts.total == 2)
        }
    }

    @Test(arguments: StoreKind.durable)
    func aSessionOpenedOnOneServerIsAcceptedByTheOther(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let (other, otherStore) = try await Self.secondServer(demo, kind: kind)
            defer { Task { await otherStore.close() } }
            try await Self.prepareOwnTables(demo.store)
            let clock = TestClock()
            var first = demo.engine
            first.clock = clock.read
            var second = other
            second.clock = clock.read
            _ = try await first.openSession(digest: "d1", user: "alice", lifetime: 60_000)
            #expect(try await second.sessionUser(digest: "d1") == "alice")
            #expect(try await second.sessionUser(digest: "d2") == nil)
            try await second.closeSession(digest: "d1")
            #expect(try await first.sessionUser(digest: "d1") == nil)
            _ = try await second.openSession(digest: "d3", user: "bob", lifetime: 60_000)
            clock.advance(seconds: 61)
            #expect(try await first.sessionUser(digest: "d3") == nil)
        }
    }
}

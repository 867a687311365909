import Logging
import RestableCore
@testable import RestablePostgres
import RestableTestSupport
import Testing

/// Deadlocks and serialization failures on PostgreSQL: the whole transaction runs again from the
/// start, at most `PostgresStore.maximumAttempts` times, and nothing of a failed attempt remains;
/// past the limit the answer is `storeBusy` (503) with `Retry-After`.
@Suite(.enabled(if: PostgresScratch.isAvailable, "needs RESTABLE_POSTGRES_URL"))
struct PostgresRetryTests {
    static let serializationFailure = "DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '40001'; END $$"

    /// A store on a fresh scratch schema with one table `t (id integer primary key)` holding rows 1 and 2.
    static func withStore(_ body: (PostgresStore, PostgresScratch) async throws -> Void) async throws {
        let scratch = try await PostgresScratch.create()
        try await scratch.execute("CREATE TABLE t (id integer PRIMARY KEY);\nINSERT INTO t VALUES (1), (2)")
        var logger = Logger(label: "restable.test")
        logger.logLevel = .critical
        let store = PostgresStore(scratch.location, logger: logger)
        do {
            try await body(store, scratch)
        } catch {
            await store.close()
            await scratch.drop()
            throw error
        }
        await store.close()
        await scratch.drop()
    }

    static func ids(_ scratch: PostgresScratch) async throws -> [String?] {
        try await scratch.execute("SELECT id::text FROM t ORDER BY t.id").map { $0[0] }
    }

    @Test func aSerializationFailureRunsTheWholeTransactionAgain() async throws {
        try await Self.withStore { store, scratch in
            let attempts = Counter()
            try await store.write { session in
                let session = try #require(session as? PostgresSession)
                let attempt = await attempts.next()
                try await session.execute("INSERT INTO t VALUES (\(10 + attempt))")
                if attempt == 1 { try await session.execute(Self.serializationFailure) }
            }
            #expect(await attempts.value == 2)
            // The first attempt's insert (11) was rolled back with it; the second's (12) committed.
            #expect(try await Self.ids(scratch) == ["1", "2", "12"])
        }
    }

    @Test func failuresPastTheLimitAreStoreBusyWithRetryAfterAndChangeNothing() async throws {
        try await Self.withStore { store, scratch in
            let attempts = Counter()
            do {
                try await store.write { session in
                    let session = try #require(session as? PostgresSession)
                    _ = await attempts.next()
                    try await session.execute("DELETE FROM t")
                    try await session.execute(Self.serializationFailure)
                }
                Issue.record("the write succeeded")
            } catch let error as RestableError {
                #expect(error.code == .storeBusy)
                #expect(error.retryAfter == 1)
            }
            #expect(await attempts.value == PostgresStore.maximumAttempts)
            #expect(try await Self.ids(scratch) == ["1", "2"])
        }
    }

    /// Two transactions lock rows 1 and 2 in opposite orders, each waiting for the other to hold
    /// its first lock: PostgreSQL aborts one as a deadlock (after `deadlock_timeout`, 1 s by
    /// default), the store runs it again, and both complete.
    @Test func aRealDeadlockIsRetriedAndBothTransactionsComplete() async throws {
        try await Self.withStore { store, scratch in
            let attempts = Counter()
            let firstLocksHeld = Latch(count: 2)
            func cross(_ first: Int, _ second: Int) async throws {
                try await store.write { session in
                    let session = try #require(session as? PostgresSession)
                    _ = await attempts.next()
                    try await session.execute("UPDATE t SET id = id WHERE id = \(first)")
                    await firstLocksHeld.arriveAndWait()
                    try await session.execute("UPDATE t SET id = id WHERE id = \(second)")
                }
            }
            async let one: Void = cross(1, 2)
            async let two: Void = cross(2, 1)
            _ = try await (one, two)
            #expect(await attempts.value == 3, "one of the two should have run twice")
            #expect(try await Self.ids(scratch) == ["1", "2"])
        }
    }
}

/// Counts attempts across the tasks of a test.
actor Counter {
    private(set) var value = 0

    func next() -> Int {
        value += 1
        return value
    }
}

/// Lets tasks wait until `count` of them have arrived; after that, arriving does not wait.
actor Latch {
    private var remaining: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { remaining = count }

    func arriveAndWait() async {
        remaining -= 1
        if remaining <= 0 {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

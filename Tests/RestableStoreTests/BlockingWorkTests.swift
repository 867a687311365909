import Foundation
import RestableCore
import RestableSQL
@testable import RestableSQLite
import Testing

/// SQLite's blocking calls run on each connection's own thread, never on Swift's cooperative
/// pool: with more slow statements running than the pool has threads, other async work goes on.
@Suite struct BlockingWorkTests {
    @Test func slowStatementsLeaveTheCooperativePoolFree() async throws {
        // More connections than the cooperative pool has threads (one per core).
        let count = ProcessInfo.processInfo.activeProcessorCount + 1
        let connections = try (0..<count).map { _ in try SQLiteConnection(path: ":memory:") }
        let slow = SQLStatement(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000000) SELECT count(*) FROM n")
        let started = ContinuousClock.now
        let queries = Task {
            try await withThrowingTaskGroup(of: ([[Value]], Duration).self) { group in
                for connection in connections {
                    group.addTask {
                        try await connection.perform { connection in
                            let began = ContinuousClock.now
                            let rows = try connection.queryNow(slow, types: [.integer])
                            return (rows, ContinuousClock.now - began)
                        }
                    }
                }
                var results: [([[Value]], Duration)] = []
                for try await result in group { results.append(result) }
                return results
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        // Short hops between cooperative threads, as a request that needs no database makes.
        for _ in 0..<10 {
            _ = await Task.detached { 1 }.value
            try await Task.sleep(for: .milliseconds(5))
        }
        let probed = ContinuousClock.now - started
        let results = try await queries.value
        let shortest = results.map(\.1).min() ?? .zero
        #expect(results.count == count)
        #expect(results.allSatisfy { $0.0 == [[.integer(5_000_000)]] })
        // Had the statements blocked the pool's threads, the short work would have waited for one to end.
        #expect(probed < shortest, "the short work took \(probed); the quickest statement \(shortest)")
        for connection in connections { await connection.close() }
    }
}

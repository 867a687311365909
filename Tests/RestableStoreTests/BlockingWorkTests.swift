import Foundation
import RestableCore
import RestableSQL
@testable import RestableSQLite
import Testing

/// SQLite's blocking calls run on each connection's own thread, never on Swift's cooperative
/// pool (whose few threads every request shares).
@Suite struct BlockingWorkTests {
    @Test func statementsRunOnTheConnectionsOwnThread() async throws {
        let first = try SQLiteConnection(path: ":memory:")
        let second = try SQLiteConnection(path: ":memory:")
        let statement = SQLStatement("SELECT 1")
        let (rows, onFirst, onSecond) = try await first.perform { connection in
            (try connection.queryNow(statement, types: [.integer]), connection.onOwnThread, second.onOwnThread)
        }
        #expect(rows == [[.integer(1)]])
        #expect(onFirst, "the statement ran on the connection's thread")
        #expect(!onSecond, "each connection has a thread of its own")
        #expect(!first.onOwnThread, "the caller (a cooperative thread) is not it")
        #expect(try await second.perform { $0.onOwnThread })
        #expect(try await first.perform { $0.onOwnThread }, "one connection, always the same thread")
        await first.close()
        await second.close()
    }

    @Test func aSQLiteErrorComesBackThroughTheThread() async throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let error = await #expect(throws: SQLiteError.self) {
            try await connection.perform { try $0.queryNow(SQLStatement("SELECT * FROM missing"), types: []) }
        }
        #expect(error?.message == "no such table: missing")
        #expect(try await connection.perform { try $0.queryNow(SQLStatement("SELECT 2"), types: [.integer]) } == [[.integer(2)]])
        await connection.close()
    }
}

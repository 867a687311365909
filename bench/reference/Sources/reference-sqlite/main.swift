import CSQLite
import Foundation
import Hummingbird

/// The reference for Restable's SQLite scenarios: a minimal Hummingbird server that deletes with
/// prepared statements in one transaction each, on one connection, with the database settings
/// Restable uses (WAL, foreign keys on, `synchronous` as asked).
///
///     reference-sqlite DATABASE PORT [NORMAL|FULL]
///
/// Routes (the tables are those bench/run creates through Restable):
/// - `DELETE /api/leaf/{id}`: `DELETE FROM leaf WHERE id = ? RETURNING id, label`; 200 with the
///   row as JSON, 404 when there is none.
/// - `DELETE /api/tree/{id}`: reads the row, clears `tree_note.tree_id` (set-null), deletes its
///   `tree_part` children (cascade), deletes the row; 200 with the row and the counts.
@main
struct ReferenceSQLite {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3, let port = Int(arguments[2]) else {
            FileHandle.standardError.write(Data("usage: reference-sqlite DATABASE PORT [NORMAL|FULL]\n".utf8))
            exit(2)
        }
        let synchronous = arguments.count > 3 ? arguments[3] : "NORMAL"
        let database = try Database(path: arguments[1], synchronous: synchronous)

        let router = Router()
        router.delete("/api/leaf/:id") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int64.self) else { return .json(.badRequest, #"{"error":"bad key"}"#) }
            guard let label = try database.deleteLeaf(id) else { return .json(.notFound, #"{"error":"not found"}"#) }
            return .json(.ok, #"{"id":\#(id),"label":\#(quoted(label))}"#)
        }
        router.delete("/api/tree/:id") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int64.self) else { return .json(.badRequest, #"{"error":"bad key"}"#) }
            guard let (label, detached, deleted) = try database.deleteTree(id) else {
                return .json(.notFound, #"{"error":"not found"}"#)
            }
            return .json(.ok, #"{"id":\#(id),"label":\#(quoted(label)),"detached":\#(detached),"deleted":\#(deleted)}"#)
        }
        router.get("/health") { _, _ in "ok" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}

extension Response {
    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A JSON string literal (or null).
func quoted(_ text: String?) -> String {
    guard let text else { return "null" }
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

struct SQLiteFailure: Error, CustomStringConvertible {
    let description: String
}

/// One connection with its prepared statements, used by one request at a time.
final class Database: @unchecked Sendable {
    private let lock = NSLock()
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, synchronous: String) throws {
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw SQLiteFailure(description: "cannot open \(path)")
        }
        sqlite3_busy_timeout(handle, 5_000)
        try execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = \(synchronous)")
    }

    private func execute(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw failure() }
    }

    private func failure() -> SQLiteFailure {
        SQLiteFailure(description: String(cString: sqlite3_errmsg(handle)))
    }

    private func statement(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var prepared: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil) == SQLITE_OK, let prepared else {
            throw failure()
        }
        statements[sql] = prepared
        return prepared
    }

    /// Runs a prepared statement with one integer bound; calls `row` for each result row.
    private func run(_ sql: String, _ value: Int64, row: (OpaquePointer) -> Void = { _ in }) throws {
        let prepared = try statement(sql)
        defer { sqlite3_reset(prepared) }
        sqlite3_bind_int64(prepared, 1, value)
        while true {
            switch sqlite3_step(prepared) {
            case SQLITE_ROW: row(prepared)
            case SQLITE_DONE: return
            default: throw failure()
            }
        }
    }

    private func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        try run("BEGIN IMMEDIATE", 0)
        do {
            let result = try body()
            try run("COMMIT", 0)
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private static func text(_ statement: OpaquePointer, _ column: Int32) -> String? {
        sqlite3_column_text(statement, column).map { String(cString: $0) }
    }

    /// Deletes one leaf row; its label (`.some(nil)` for a null label), or nil when there was none.
    func deleteLeaf(_ id: Int64) throws -> String?? {
        try transaction {
            var label: String??
            try run(#"DELETE FROM "leaf" WHERE "id" = ? RETURNING "id", "label""#, id) { label = .some(Self.text($0, 1)) }
            return label
        }
    }

    /// Deletes one tree row as Restable's rules for its relationships say; nil when there was none.
    func deleteTree(_ id: Int64) throws -> (String?, Int, Int)? {
        try transaction {
            var found = false
            var label: String?
            try run(#"SELECT "id", "label" FROM "tree" WHERE "id" = ?"#, id) { statement in
                found = true
                label = Self.text(statement, 1)
            }
            guard found else { return nil }
            try run(#"UPDATE "tree_note" SET "tree_id" = NULL WHERE "tree_id" = ?"#, id)
            let detached = Int(sqlite3_changes(handle))
            try run(#"DELETE FROM "tree_part" WHERE "tree_id" = ?"#, id)
            let deleted = Int(sqlite3_changes(handle))
            try run(#"DELETE FROM "tree" WHERE "id" = ?"#, id)
            return (label, detached, deleted)
        }
    }
}

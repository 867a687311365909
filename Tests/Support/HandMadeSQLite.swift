import CSQLite
public import Foundation

/// A SQLite database written by hand with SQL, through SQLite's C API (not by Restable), for
/// the tests of introspection.
public enum HandMadeSQLite {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Creates the file at `path` (which must not exist) and runs `script` in it.
    public static func create(at path: String, _ script: String) throws {
        try execute(path, script)
    }

    /// Runs `script` (several statements allowed) in the database at `path`.
    public static func execute(_ path: String, _ script: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK, let handle else {
            throw Failure(description: "cannot open \(path)")
        }
        defer { sqlite3_close(handle) }
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, "PRAGMA foreign_keys = ON; " + script, nil, nil, &message) != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw Failure(description: text)
        }
    }

    /// The first column of every row of `query`, as text ("NULL" for null).
    public static func strings(_ path: String, _ query: String) throws -> [String] {
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK, let handle else { throw Failure(description: "cannot open \(path)") }
        defer { sqlite3_close(handle) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, query, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_finalize(statement) }
        var values: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            values.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "NULL")
        }
        return values
    }

    /// A new empty folder under the temporary directory; the caller removes it.
    public static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-introspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

import CSQLite
import Foundation
import RestableCore
import RestableSQL

/// One SQLite connection with a cache of prepared statements.
///
/// Not thread-safe by itself: ``SQLiteStore`` lends each connection to one transaction at a time.
final class SQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var cache: [String: OpaquePointer] = [:]

    init(path: String, readOnly: Bool = false) throws {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            handle = nil
            throw SQLiteError(code: status, message: message, sql: nil)
        }
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 5_000)
    }

    deinit {
        close()
    }

    func close() {
        for statement in cache.values { sqlite3_finalize(statement) }
        cache.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs one or more statements without binds (pragmas, BEGIN, COMMIT).
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &error)
        if status != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw SQLiteError(code: status, message: message, sql: sql)
        }
    }

    /// Runs a statement and returns every row as an array of values, one per result column.
    func query(_ statement: SQLStatement, types: [ColumnType?]) throws -> [[Value]] {
        let prepared = try prepare(statement)
        defer { sqlite3_reset(prepared) }
        var rows: [[Value]] = []
        let count = Int(sqlite3_column_count(prepared))
        while true {
            let status = sqlite3_step(prepared)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status, statement.sql) }
            var row: [Value] = []
            row.reserveCapacity(count)
            for index in 0..<count {
                row.append(column(prepared, Int32(index), as: index < types.count ? types[index] : nil))
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func run(_ statement: SQLStatement) throws -> Int {
        let prepared = try prepare(statement)
        defer { sqlite3_reset(prepared) }
        let status = sqlite3_step(prepared)
        guard status == SQLITE_DONE || status == SQLITE_ROW else { throw error(status, statement.sql) }
        return Int(sqlite3_changes(handle))
    }

    private func prepare(_ statement: SQLStatement) throws -> OpaquePointer {
        let prepared: OpaquePointer
        if let cached = cache[statement.sql] {
            prepared = cached
        } else {
            var fresh: OpaquePointer?
            let status = sqlite3_prepare_v3(handle, statement.sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &fresh, nil)
            guard status == SQLITE_OK, let fresh else { throw error(status, statement.sql) }
            if cache.count >= 256, let victim = cache.first {
                sqlite3_finalize(victim.value)
                cache[victim.key] = nil
            }
            cache[statement.sql] = fresh
            prepared = fresh
        }
        sqlite3_clear_bindings(prepared)
        for (offset, value) in statement.binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(prepared, index)
            case .integer(let int): status = sqlite3_bind_int64(prepared, index, int)
            case .real(let double): status = sqlite3_bind_double(prepared, index, double)
            case .boolean(let bool): status = sqlite3_bind_int64(prepared, index, bool ? 1 : 0)
            case .text(let text): status = sqlite3_bind_text(prepared, index, text, -1, Self.transient)
            }
            guard status == SQLITE_OK else { throw error(status, statement.sql) }
        }
        return prepared
    }

    /// Reads a column, normalised to the declared type (NUMERIC columns hand back integers for whole numbers).
    private func column(_ statement: OpaquePointer, _ index: Int32, as type: ColumnType?) -> Value {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL:
            return .null
        case SQLITE_INTEGER:
            let int = sqlite3_column_int64(statement, index)
            switch type {
            case .boolean: return .boolean(int != 0)
            case .decimal, .real: return .real(Double(int))
            case .text: return .text(String(int))
            default: return .integer(int)
            }
        case SQLITE_FLOAT:
            let double = sqlite3_column_double(statement, index)
            if type == .integer, let exact = Int64(exactly: double) { return .integer(exact) }
            return .real(double)
        default:
            let text = sqlite3_column_text(statement, index).map { String(cString: $0) } ?? ""
            switch type {
            case .integer?: return Int64(text).map(Value.integer) ?? .text(text)
            case .decimal?, .real?: return Double(text).map(Value.real) ?? .text(text)
            default: return .text(text)
            }
        }
    }

    private func error(_ status: Int32, _ sql: String) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A failure reported by SQLite: its extended result code, message and the statement (for the log only).
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var sql: String?

    var primaryCode: Int32 { code & 0xff }
    var description: String { "SQLite error \(code): \(message)" + (sql.map { " in: \($0)" } ?? "") }
}

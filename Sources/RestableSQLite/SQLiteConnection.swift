import CSQLite
import Foundation
import Logging
import RestableCore
import RestableSQL
import Synchronization

/// One SQLite connection with a cache of prepared statements, and a thread of its own.
///
/// Every call that can block (a statement, BEGIN, COMMIT) runs through ``perform(_:)`` on the
/// connection's thread, never on Swift's cooperative pool: a long delete on the writer must not
/// stall the requests that do not need it (`/health`, reads on the other connections).
///
/// The thread is also a task executor (``executor``): a transaction runs its whole async body
/// there (`withTaskExecutorPreference`), so that each statement runs at once on the thread it is
/// already on, rather than costing two thread switches.
///
/// Not thread-safe by itself: ``SQLiteStore`` lends each connection to one transaction at a time.
final class SQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var cache: [String: OpaquePointer] = [:]
    private let thread = BlockingThread(name: "restable.sqlite")
    private let logger: Logger
    /// How long one statement may run before SQLite interrupts it; nil: no limit.
    private let statementTimeout: Duration?
    /// When the running statement must be done, in `DispatchTime` nanoseconds; read by the
    /// progress handler on the connection's thread.
    private let statementDeadline = StatementDeadline()

    init(
        path: String, readOnly: Bool = false, statementTimeout: Duration? = nil, logger: Logger = Logger(label: "restable.sqlite")
    ) throws {
        self.logger = logger
        self.statementTimeout = statementTimeout
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
        // Every 1,000 virtual-machine steps SQLite asks whether to go on: past the statement's
        // deadline, or once its work was cancelled, the statement stops with SQLITE_INTERRUPT
        // (and its transaction rolls back).
        sqlite3_progress_handler(
            handle, 1_000,
            { context in
                guard let context else { return 0 }
                let deadline = Unmanaged<StatementDeadline>.fromOpaque(context).takeUnretainedValue()
                return deadline.passed || deadline.stopped ? 1 : 0
            }, Unmanaged.passUnretained(statementDeadline).toOpaque())
    }

    /// Runs `body` as one unit of work on the connection whose running statement stops
    /// (`SQLITE_INTERRUPT`, which rolls back the whole transaction) when the calling task is
    /// cancelled, if `stops`; a later unit of work is never stopped by it.
    func stoppingWhenCancelled<T>(_ stops: Bool = true, _ body: () async throws -> T) async throws -> T {
        guard stops else { return try await body() }
        let work = statementDeadline.beginWork()
        defer { statementDeadline.endWork() }
        let deadline = statementDeadline
        return try await withTaskCancellationHandler {
            try await body()
        } onCancel: {
            deadline.stop(work)
        }
    }

    /// Starts the clock of a statement about to run.
    private func startStatement() {
        guard let statementTimeout else { return }
        statementDeadline.start(statementTimeout)
    }

    /// No transaction is open (SQLite rolls a transaction back by itself after some errors, an
    /// interrupted statement among them).
    var inAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    deinit {
        closeNow()
        thread.stop()
    }

    /// Runs `body` on the connection's thread and waits for it without blocking the caller's
    /// thread; on that thread already, runs it at once.
    func perform<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        if thread.isCurrent { return try body(self) }
        return try await thread.run { try body(self) }
    }

    /// The connection's thread as a task executor: async code that prefers it runs there.
    var executor: any TaskExecutor { thread }

    /// Whether the caller runs on the connection's thread.
    var onOwnThread: Bool { thread.isCurrent }

    /// Closes the connection on its thread.
    func close() async {
        _ = try? await perform { $0.closeNow() }
    }

    /// ``inAutocommit``, read on the connection's thread.
    func inAutocommitMode() async -> Bool {
        (try? await perform { $0.inAutocommit }) ?? false
    }

    /// Runs one or more statements without binds, on the connection's thread.
    func execute(_ sql: String) async throws {
        try await perform { try $0.executeNow(sql) }
    }

    // MARK: Blocking calls, for the connection's thread (or start-up, before anyone shares it)

    func closeNow() {
        for statement in cache.values { sqlite3_finalize(statement) }
        cache.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs one or more statements without binds (pragmas, BEGIN, COMMIT).
    func executeNow(_ sql: String) throws {
        startStatement()
        var error: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &error)
        if status != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw SQLiteError(code: status, message: message, sql: sql)
        }
    }

    /// Fails as a COMMIT would when the open transaction leaves a deferred foreign key unresolved.
    func requireForeignKeysResolved() throws {
        var current: Int32 = 0
        var highest: Int32 = 0
        sqlite3_db_status(handle, SQLITE_DBSTATUS_DEFERRED_FKS, &current, &highest, 0)
        guard current == 0 else {
            throw SQLiteError(code: SQLiteErrorMapping.constraintForeignKey, message: "FOREIGN KEY constraint failed", sql: nil)
        }
    }

    /// Runs a statement and hands each row it returns to `row`, with the prepared statement
    /// positioned on it and the number of result columns.
    private func stepRows(_ statement: SQLStatement, _ row: (OpaquePointer, Int) throws -> Void) throws {
        let prepared = try prepare(statement)
        defer { sqlite3_reset(prepared) }
        startStatement()
        let count = Int(sqlite3_column_count(prepared))
        while true {
            let status = sqlite3_step(prepared)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status, statement.sql) }
            try row(prepared, count)
        }
    }

    /// Runs a statement and returns every row as an array of values, one per result column.
    func queryNow(_ statement: SQLStatement, types: [ColumnType?]) throws -> [[Value]] {
        var rows: [[Value]] = []
        try stepRows(statement) { prepared, count in
            var row: [Value] = []
            row.reserveCapacity(count)
            for index in 0..<count {
                row.append(column(prepared, Int32(index), as: index < types.count ? types[index] : nil))
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs a statement and writes every row it returns into `writer`, each value as
    /// ``queryNow(_:types:)`` reads it (integers and ASCII text straight from SQLite's buffers).
    func queryNow(_ statement: SQLStatement, types: [ColumnType?], into writer: inout JournalCodec.Writer) throws {
        try stepRows(statement) { prepared, count in
            writer.startRow()
            for index in 0..<count {
                let type = index < types.count ? types[index] : nil
                let column = Int32(index)
                switch sqlite3_column_type(prepared, column) {
                case SQLITE_NULL:
                    writer.appendNull()
                case SQLITE_INTEGER where type != .boolean && type != .decimal && type != .real:
                    writer.appendInteger(sqlite3_column_int64(prepared, column))
                case SQLITE_TEXT where type != .decimal:
                    let text = sqlite3_column_text(prepared, column)
                    let bytes = UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(prepared, column)))
                    if bytes.allSatisfy({ $0 < 0x80 }) {
                        writer.appendText(bytes)
                    } else {
                        writer.append(self.column(prepared, column, as: type))
                    }
                default:
                    writer.append(self.column(prepared, column, as: type))
                }
            }
        }
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func runNow(_ statement: SQLStatement) throws -> Int {
        let prepared = try prepare(statement)
        defer { sqlite3_reset(prepared) }
        startStatement()
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
            case .decimal(let decimal): status = Self.bind(decimal.text, to: prepared, at: index)
            case .boolean(let bool): status = sqlite3_bind_int64(prepared, index, bool ? 1 : 0)
            case .text(let text): status = Self.bind(text, to: prepared, at: index)
            }
            guard status == SQLITE_OK else { throw error(status, statement.sql) }
        }
        return prepared
    }

    /// Binds text with its UTF-8 length, so that a NUL inside it is kept, not taken for its end.
    private static func bind(_ text: String, to statement: OpaquePointer, at index: Int32) -> Int32 {
        // An empty buffer may have no address, and a null pointer would bind NULL.
        if text.isEmpty { return sqlite3_bind_text(statement, index, "", 0, Self.transient) }
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                sqlite3_bind_text64(
                    statement, index, characters.baseAddress, sqlite3_uint64(characters.count), Self.transient, UInt8(SQLITE_UTF8))
            }
        }
    }

    /// Reads a column as what is stored in it. The declared type only decides exact conversions:
    /// an INTEGER 0 or 1 in a boolean column is a boolean; an INTEGER in a real column is a real
    /// when the double holds it exactly; in a decimal column an INTEGER, a REAL (as the digits it
    /// prints as) or a TEXT that is a decimal numeral is a decimal (tables Restable creates store
    /// decimals as canonical text, which nothing rounds; older files and other programs store
    /// REALs). Nothing else is converted: an INTEGER in a text column stays an integer, a TEXT in
    /// an integer column stays text, a REAL in an integer column stays a real.
    private func column(_ statement: OpaquePointer, _ index: Int32, as type: ColumnType?) -> Value {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL:
            return .null
        case SQLITE_INTEGER:
            let int = sqlite3_column_int64(statement, index)
            switch type {
            case .boolean? where int == 0 || int == 1: return .boolean(int == 1)
            case .decimal?: return .decimal(DecimalNumber(int))
            case .real?: return Double(exactly: int).map(Value.real) ?? .integer(int)
            default: return .integer(int)
            }
        case SQLITE_FLOAT:
            let double = sqlite3_column_double(statement, index)
            if type == .decimal, let decimal = DecimalNumber(double) { return .decimal(decimal) }
            return .real(double)
        case SQLITE_TEXT:
            let text = sqlite3_column_text(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            let value = text.map { bytes(UnsafeRawPointer($0), count, statement, index, storage: "TEXT") } ?? .text("")
            if type == .decimal, case .text(let numeral) = value, let decimal = DecimalNumber(numeral) { return .decimal(decimal) }
            return value
        default:
            let blob = sqlite3_column_blob(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            return blob.map { bytes($0, count, statement, index, storage: "BLOB") } ?? .text("")
        }
    }

    /// Text stored as bytes: the text itself when they are UTF-8, otherwise ``undecodable(_:)``.
    private func bytes(_ start: UnsafeRawPointer, _ count: Int, _ statement: OpaquePointer, _ index: Int32, storage: String) -> Value {
        let buffer = UnsafeRawBufferPointer(start: start, count: count)
        if let text = String(validating: buffer, as: UTF8.self) { return .text(text) }
        let name = sqlite3_column_name(statement, index).map { String(cString: $0) } ?? "?"
        logger.warning(
            "a \(storage) value that is not UTF-8 text was read as a marked hexadecimal text",
            metadata: ["column": "\(name)", "bytes": "\(count)"])
        return .text(Self.undecodable(Array(buffer)))
    }

    /// What a stored value that is not UTF-8 text reads as: U+FFFF (a Unicode noncharacter,
    /// never a character of real text), `blob:`, and the bytes in hexadecimal. It cannot silently
    /// equal the text of another row, and a filter or key bound as text never matches it in SQL
    /// (a BLOB is never equal to a TEXT).
    static func undecodable(_ bytes: [UInt8]) -> String {
        "\u{FFFF}blob:" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private func error(_ status: Int32, _ sql: String) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A thread that runs jobs one at a time, in order: the home of one connection's blocking calls,
/// and a task executor for the transactions on that connection.
final class BlockingThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopped = false
    private var owner: pthread_t?

    init(name: String) {
        let thread = Thread { [self] in
            Thread.current.name = name  // set from inside: a name given before start is lost on Linux
            condition.lock()
            owner = pthread_self()
            condition.unlock()
            loop()
        }
        thread.start()
    }

    /// Runs `body` on the thread; the caller's task is suspended, not its thread blocked.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return owner.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    /// Lets the thread finish the jobs it has, then end.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        submit { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }

    private func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// A failure reported by SQLite: its extended result code, message and the statement (for the log only).
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var sql: String?

    var primaryCode: Int32 { code & 0xff }
    var description: String { "SQLite error \(code): \(message)" + (sql.map { " in: \($0)" } ?? "") }
}

/// The deadline of the statement a connection runs, shared with SQLite's progress handler.
/// Written and read on the connection's thread only.
final class StatementDeadline: @unchecked Sendable {
    private var nanoseconds: UInt64 = .max
    /// The unit of work (``SQLiteConnection/beginWork()``) now using the connection, and the
    /// one whose task was cancelled: when they are the same, its statements stop.
    private let working = Atomic<UInt64>(0)
    private let stopping = Atomic<UInt64>(0)
    private let nextWork = Atomic<UInt64>(1)

    func beginWork() -> UInt64 {
        let work = nextWork.wrappingAdd(1, ordering: .relaxed).oldValue
        working.store(work, ordering: .sequentiallyConsistent)
        return work
    }

    func endWork() { working.store(0, ordering: .sequentiallyConsistent) }

    /// Stops the statements of `work`, if it is still the connection's unit of work.
    func stop(_ work: UInt64) { stopping.store(work, ordering: .sequentiallyConsistent) }

    var stopped: Bool {
        let stop = stopping.load(ordering: .sequentiallyConsistent)
        return stop != 0 && stop == working.load(ordering: .sequentiallyConsistent)
    }

    func start(_ timeout: Duration) {
        let parts = timeout.components
        let length = UInt64(parts.seconds) * 1_000_000_000 + UInt64(parts.attoseconds / 1_000_000_000)
        nanoseconds = DispatchTime.now().uptimeNanoseconds &+ length
    }

    var passed: Bool { DispatchTime.now().uptimeNanoseconds > nanoseconds }
}

public import Hummingbird
public import Logging
import NIOCore
public import RestableCore
import Synchronization

/// Runs requests as jobs (`Prefer: respond-async`) in this server process, and answers for
/// jobs of any process from their records in the database (``RestableTables/jobs``).
///
/// A job's request runs in one transaction, like any request, in a task of its own that
/// outlives the HTTP exchange that started it. While it runs, a watcher writes its heartbeat
/// and progress every ``heartbeat`` (on a store that can write beside the job's open
/// transaction; on SQLite the job's progress is kept in this process, the only one serving
/// the file) and cancels the task when a cancel was asked for, through any server. The job's
/// transaction marks it committed in itself, so a job is never half-done: either its changes
/// and the mark commit together, or neither does.
///
/// A job whose server stopped is reported `failed` by the next server asked about it: on
/// PostgreSQL once its heartbeat is older than ``staleAfter``; on SQLite at once, since the
/// process running it is not this one. A job that committed before its server stopped is
/// reported `completed`, its answer lost, and the journal has what it did.
public final class JobRunner: Sendable {
    /// This process's name in the jobs it runs.
    public let server: String
    /// How often a running job's heartbeat and progress are written, and its cancel looked for.
    public let heartbeat: Duration
    /// How old a running job's heartbeat may be before another server gives it up as failed.
    public let staleAfter: Duration
    /// How long a job may run (nil: no limit); past it, it rolls back (`timedOut`).
    public let timeout: Duration?
    let logger: Logger
    private let running = Mutex<[String: Running]>([:])
    /// Set once the server stops: jobs still running are cancelled.
    private let stopping = Mutex(false)

    private struct Running: Sendable {
        let task: Task<Void, Never>
        let progress: JobProgress
        /// The record as it was written when the job started.
        let record: JobRecord
        /// Whether a cancel was asked for through this process.
        var cancelRequested = false
    }

    public static let defaultHeartbeat = Duration.seconds(1)
    public static let defaultStaleAfter = Duration.seconds(15)
    public static let defaultTimeout = Duration.seconds(3_600)

    public init(
        heartbeat: Duration = JobRunner.defaultHeartbeat, staleAfter: Duration = JobRunner.defaultStaleAfter,
        timeout: Duration? = JobRunner.defaultTimeout, logger: Logger = Logger(label: "restable.jobs")
    ) {
        self.server = RestableResponder.newRequestID()
        self.heartbeat = heartbeat
        self.staleAfter = staleAfter
        self.timeout = timeout
        self.logger = logger
    }

    /// What a job runs: the request's handler, acting through the engine it is given (the
    /// job's own). An error it throws is rendered by `failure`.
    public typealias Work = @Sendable (Engine) async throws(RestableError) -> Response

    /// Writes the job down and starts it; returns its record (`running`, `queued`).
    public func start(
        _ engine: Engine, mount: String, request: String, principal: String?, work: @escaping Work,
        failure: @escaping @Sendable (RestableError) -> Response
    ) async throws(RestableError) -> JobRecord {
        let id = RestableResponder.newRequestID()
        let record = JobRecord(id: id, mount: mount, request: request, principal: principal, server: server, at: engine.clock())
        try await engine.record(record)
        let progress = JobProgress()
        let jobEngine = engine.running(as: JobTicket(id: id, progress: progress), timeout: timeout)
        running.withLock { running in
            let task = Task {
                var cancelled = false
                var response: Response
                do throws(RestableError) {
                    response = try await work(jobEngine)
                } catch {
                    cancelled = error.code == .cancelled
                    response = failure(error)
                }
                // In a task of its own: this one may be cancelled, and its end must still be written.
                await Task { await self.finish(id, response, cancelled: cancelled, progress: progress, engine: engine) }.value
            }
            running[id] = Running(task: task, progress: progress, record: record)
        }
        // SQLite is served by this process alone, so a cancel can only come through it: a
        // watcher's reads would also wait behind the job's transaction on an in-memory database.
        if engine.writesConcurrently {
            Task { await self.watch(id, task: task(id), progress: progress, engine: engine) }
        }
        logger.info("job started", metadata: ["job": "\(id)", "started": "\(request)", "request": "\(engine.requestID ?? "")"])
        return record
    }

    /// Writes the heartbeat (where the store allows it) and looks for a cancel, every
    /// ``heartbeat``, until the job's task ends.
    private func watch(_ id: String, task: Task<Void, Never>?, progress: JobProgress, engine: Engine) async {
        while running.withLock({ $0[id] != nil }) {
            try? await Task.sleep(for: heartbeat)
            guard running.withLock({ $0[id] != nil }) else { return }
            let (phase, rows) = progress.snapshot
            do {
                if try await engine.beat(id, phase: phase, rows: rows) { task?.cancel() }
            } catch {
                logger.warning("a job's heartbeat could not be written", metadata: ["job": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// Writes down how the job ended, trying again while the database is unreachable.
    private func finish(_ id: String, _ response: Response, cancelled: Bool, progress: JobProgress, engine: Engine) async {
        progress.finish()
        let rows = progress.snapshot.rows
        let collected = CollectedBody()
        do {
            try await response.body.write(BodyCollector(into: collected))
        } catch {
            logger.error("a job's answer could not be read", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        let text = collected.buffer.getString(at: collected.buffer.readerIndex, length: collected.buffer.readableBytes)
        let transaction = response.headers[.restableTransaction]
        for attempt in 1...5 {
            do {
                if cancelled {
                    let why = stopping.withLock { $0 } ? "the server stopped before the job committed" : "cancelled before it committed"
                    try await engine.finish(job: id, as: .cancelled, detail: "\(why): its transaction rolled back, and nothing changed", rows: 0)
                } else {
                    try await engine.finish(
                        job: id, as: .completed, status: Int(response.status.code), response: text, transaction: transaction, rows: rows)
                }
                break
            } catch {
                logger.error("a job's end could not be written", metadata: ["job": "\(id)", "attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(attempt))
            }
        }
        running.withLock { _ = $0.removeValue(forKey: id) }
        logger.info("job ended", metadata: ["job": "\(id)", "state": "\(cancelled ? "cancelled" : "completed")", "status": "\(response.status.code)"])
    }

    /// The job as it is now: its record, with this process's live progress when it runs here,
    /// and given up as failed when the server running it stopped. Nil for no such job.
    public func status(_ id: String, engine: Engine) async throws(RestableError) -> JobRecord? {
        // A job running here is answered from memory: on SQLite a read of its record could
        // wait behind its own transaction.
        if let local = running.withLock({ $0[id] }) {
            var record = local.record
            (record.phase, record.rows) = local.progress.snapshot
            record.updatedMs = engine.clock()
            record.cancelRequested = local.cancelRequested
            return record
        }
        guard let record = try await engine.jobRecord(id) else { return nil }
        guard !record.state.isFinal else { return record }
        let stopped: Bool
        if record.server == server {
            // It ended here between the two reads, or its end could not be written.
            guard let again = try await engine.jobRecord(id) else { return nil }
            if again.state.isFinal || running.withLock({ $0[id] != nil }) { return again }
            stopped = true
        } else if engine.writesConcurrently {
            let age = engine.clock() - record.updatedMs
            stopped = age > Self.milliseconds(staleAfter)
        } else {
            // SQLite is served by one process, this one: the process that ran the job is gone.
            stopped = true
        }
        guard stopped else { return record }
        let reason =
            record.state == .committed
            ? "its server stopped (or lost the database) after the job committed, before it wrote the answer down: the journal has what it did"
            : "its server stopped (or lost the database) before the job committed: its transaction rolled back, and nothing changed"
        logger.notice("job given up: its server stopped", metadata: ["job": "\(id)", "server": "\(record.server)"])
        return try await engine.abandon(record, reason: reason) ?? record
    }

    /// Cancels every job running here, as the server stops, and waits (up to `wait`) until
    /// each has rolled back and written down that it was cancelled.
    public func stopAll(wait: Duration) async {
        let tasks = running.withLock { running in
            stopping.withLock { $0 = true }
            return running.values.map(\.task)
        }
        guard !tasks.isEmpty else { return }
        logger.notice("cancelling the jobs still running, as the server stops", metadata: ["jobs": "\(tasks.count)"])
        for task in tasks { task.cancel() }
        let deadline = ContinuousClock.now + wait
        while running.withLock({ !$0.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Asks for the job to be cancelled and waits (up to `wait`) for it to end. Returns its
    /// record then, or as it is when the wait is over.
    public func cancel(_ id: String, engine: Engine, wait: Duration) async throws(RestableError) -> JobRecord? {
        let local = running.withLock { running -> Bool in
            guard running[id] != nil else { return false }
            running[id]?.cancelRequested = true
            running[id]?.task.cancel()
            return true
        }
        if !local {
            guard try await engine.requestCancel(id) != nil else { return nil }
        }
        let deadline = ContinuousClock.now + wait
        while true {
            guard let record = try await status(id, engine: engine) else { return nil }
            if record.state.isFinal || ContinuousClock.now >= deadline { return record }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func task(_ id: String) -> Task<Void, Never>? {
        running.withLock { $0[id]?.task }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}

/// Where a job's answer is collected.
private final class CollectedBody: @unchecked Sendable {
    var buffer = ByteBuffer()
}

/// A ``ResponseBodyWriter`` that keeps what is written.
private struct BodyCollector: ResponseBodyWriter {
    let into: CollectedBody
    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        into.buffer.writeBuffer(&buffer)
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

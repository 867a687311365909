import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
public import RestableCore
import Synchronization

/// Runs requests as jobs (`Prefer: respond-async`) in this server process, and answers for
/// jobs of any process from their records in the database (``RestableTables/jobs``).
///
/// A job's request runs in one transaction of its own (never shared with other writes), like
/// any request, in a task that outlives the HTTP exchange that started it. On a store that can
/// write beside the job's open transaction (PostgreSQL), a watcher writes its heartbeat and
/// progress every ``heartbeat``, and cancels the task when a cancel was asked for through any
/// server or another server gave the job up. The job's transaction marks it committed in
/// itself, so a job is never half-done: its changes and the mark commit together, or neither
/// does. On SQLite, which one process serves, a job's state lives in this process until it is
/// written down, since writes wait behind the job's transaction.
///
/// A job whose server stopped is reported `failed` by the next server asked about it: on
/// PostgreSQL once this server has seen its heartbeat stand still for ``staleAfter`` (by this
/// server's own clock, so that clocks that differ between servers do not matter); on SQLite at
/// once, since the process running it is not this one. A job that committed before its server
/// stopped is reported `completed`, its answer lost, and the journal has what it did.
public final class JobRunner: Sendable {
    /// This process's name in the jobs it runs.
    public let server: String
    /// How often a running job's heartbeat and progress are written, and its cancel looked for.
    public let heartbeat: Duration
    /// How long a running job's heartbeat may stand still before another server gives it up.
    public let staleAfter: Duration
    /// How long a job may run (nil: no limit); past it, it rolls back (`timedOut`).
    public let timeout: Duration?
    /// How many jobs may run here at once, and how many of them may be one caller's.
    public let maximumJobs: Int
    public let maximumJobsPerCaller: Int
    let logger: Logger
    private let running = Mutex<[String: Running]>([:])
    /// Set once the server stops: the jobs still running are cancelled.
    private let stopping = Mutex(false)
    /// The heartbeat of each job of another server as this server last saw it, and since when.
    private let seen = Mutex<[String: (updated: Int64, since: ContinuousClock.Instant)]>([:])

    private struct Running: Sendable {
        var task: Task<Void, Never>?
        let progress: JobProgress
        /// The record: as written when the job started, then as it ended until that is written.
        var record: JobRecord
        /// Whether a cancel was asked for through this process.
        var cancelRequested = false
    }

    public static let defaultHeartbeat = Duration.seconds(1)
    public static let defaultStaleAfter = Duration.seconds(15)
    public static let defaultTimeout = Duration.seconds(3_600)
    public static let defaultMaximumJobs = 16
    public static let defaultMaximumJobsPerCaller = 4

    public init(
        heartbeat: Duration = JobRunner.defaultHeartbeat, staleAfter: Duration = JobRunner.defaultStaleAfter,
        timeout: Duration? = JobRunner.defaultTimeout, maximumJobs: Int = JobRunner.defaultMaximumJobs,
        maximumJobsPerCaller: Int = JobRunner.defaultMaximumJobsPerCaller, logger: Logger = Logger(label: "restable.jobs")
    ) {
        self.server = RestableResponder.newRequestID()
        self.heartbeat = heartbeat
        self.staleAfter = staleAfter
        self.timeout = timeout
        self.maximumJobs = maximumJobs
        self.maximumJobsPerCaller = maximumJobsPerCaller
        self.logger = logger
    }

    /// What a job runs: the request's handler, acting through the engine it is given (the
    /// job's own). An error it throws is rendered by `failure`.
    public typealias Work = @Sendable (Engine) async throws(RestableError) -> Response

    /// Starts a job and returns its record (`running`, `queued`). Refused while this server
    /// runs ``maximumJobs`` jobs (`503`), or the caller ``maximumJobsPerCaller`` (`429`).
    public func start(
        _ engine: Engine, mount: String, request: String, principal: String?, work: @escaping Work,
        failure: @escaping @Sendable (RestableError) -> Response
    ) async throws(RestableError) -> JobRecord {
        let record = JobRecord(
            id: RestableResponder.newRequestID(), mount: mount, request: request, principal: principal, server: server, at: engine.clock())
        let progress = JobProgress()
        let refusal: RestableError? = running.withLock { running in
            if stopping.withLock({ $0 }) { return RestableError(.storeUnavailable, "the server is stopping; start the job on another", retryAfter: 1) }
            // A job that has ended and is being written down no longer counts.
            let live = running.values.filter { !$0.record.state.isFinal }
            if live.count >= maximumJobs {
                return RestableError(.storeBusy, "this server already runs \(maximumJobs) jobs; start it when one has ended", retryAfter: 5)
            }
            if live.filter({ $0.record.principal == principal && $0.record.mount == mount }).count >= maximumJobsPerCaller {
                return RestableError(.rateLimited, "this caller already runs \(maximumJobsPerCaller) jobs here; start it when one has ended", retryAfter: 5)
            }
            running[record.id] = Running(task: nil, progress: progress, record: record)
            return nil
        }
        if let refusal { throw refusal }
        // On PostgreSQL the record is written before the answer, so that any server finds it at
        // once. SQLite's one writer may be busy with another job for long: there the job writes
        // its record first thing, and this process answers for it meanwhile.
        if engine.writesConcurrently {
            do throws(RestableError) {
                try await engine.record(record)
            } catch {
                running.withLock { _ = $0.removeValue(forKey: record.id) }
                throw error
            }
        }
        let jobEngine = engine.running(as: JobTicket(id: record.id, progress: progress), timeout: timeout)
        let recorded = engine.writesConcurrently
        running.withLock { running in
            running[record.id]?.task = Task {
                var response: Response
                var cancelled = false
                do throws(RestableError) {
                    if !recorded { try await engine.record(record) }
                    response = try await work(jobEngine)
                } catch {
                    cancelled = error.code == .cancelled
                    response = failure(error)
                }
                // In a task of its own: this one may be cancelled, and its end must still be written.
                let ended = await self.ending(record, response, cancelled: cancelled, progress: progress, at: engine.clock())
                await Task { await self.write(ended, engine: engine) }.value
            }
        }
        if engine.writesConcurrently {
            Task { await self.watch(record.id, progress: progress, engine: engine) }
        }
        logger.info("job started", metadata: ["job": "\(record.id)", "started": "\(request)", "request": "\(engine.requestID ?? "")"])
        return record
    }

    /// Writes the heartbeat and looks for a cancel every ``heartbeat``, until the job ends.
    private func watch(_ id: String, progress: JobProgress, engine: Engine) async {
        while true {
            try? await Task.sleep(for: heartbeat)
            guard let task = running.withLock({ $0[id].flatMap { $0.record.state.isFinal ? nil : $0.task } }) else { return }
            let (phase, rows) = progress.snapshot
            do {
                if try await engine.beat(id, phase: phase, rows: rows) { task.cancel() }
            } catch {
                logger.warning("a job's heartbeat could not be written", metadata: ["job": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// How the job ended, as its record: the answer when its request ran to one, kept here until
    /// it is written down. A job that did not commit changed no rows.
    private func ending(_ record: JobRecord, _ response: Response, cancelled: Bool, progress: JobProgress, at now: Int64) async -> JobRecord {
        progress.finish()
        var ended = record
        ended.phase = .finished
        (ended.updatedMs, ended.finishedMs) = (now, now)
        if cancelled {
            ended.state = .cancelled
            let why = stopping.withLock { $0 } ? "the server stopped before the job committed" : "cancelled before it committed"
            ended.detail = "\(why): its transaction rolled back, and nothing changed"
        } else {
            let collected = CollectedBody()
            var response = response
            do {
                try await response.body.write(BodyCollector(into: collected))
            } catch {
                logger.error("a job's answer could not be read", metadata: ["job": "\(record.id)", "error": "\(error)"])
            }
            ended.state = .completed
            ended.status = Int(response.status.code)
            ended.response = collected.buffer.getString(at: collected.buffer.readerIndex, length: collected.buffer.readableBytes)
            ended.transaction = response.headers[.restableTransaction]
            let kept: [HTTPField.Name] = [.eTag, .preferenceApplied, .restableTransaction]
            let headers = kept.compactMap { name in response.headers[name].map { (name.rawName, JSON.string($0)) } }
            if !headers.isEmpty { ended.responseHeaders = String(decoding: JSON.object(headers).bytes, as: UTF8.self) }
        }
        // Rows count only when they stayed: the transaction marked the job and its answer came.
        ended.rows = !cancelled && progress.marked && (ended.status ?? 500) < 300 ? progress.snapshot.rows : 0
        running.withLock { $0[record.id]?.record = ended }
        return ended
    }

    /// Writes down how the job ended, trying again while the database is unreachable; then the
    /// job is no longer this process's to answer for.
    private func write(_ ended: JobRecord, engine: Engine) async {
        for attempt in 1...5 {
            do {
                let now = try await engine.finish(ended)
                logger.info(
                    "job ended", metadata: ["job": "\(ended.id)", "state": "\(now?.state.rawValue ?? ended.state.rawValue)", "status": "\(ended.status ?? 0)"])
                break
            } catch {
                logger.error("a job's end could not be written", metadata: ["job": "\(ended.id)", "attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(attempt))
            }
        }
        running.withLock { _ = $0.removeValue(forKey: ended.id) }
    }

    /// The job as this process or the database has it now, without judging whether its server
    /// still runs: for checking whose it is before anything is done to it.
    public func record(_ id: String, engine: Engine) async throws(RestableError) -> JobRecord? {
        if let local = localRecord(id, engine: engine) { return local }
        return try await engine.jobRecord(id)
    }

    /// A job running here (or ended here and not yet written down), with its live progress.
    private func localRecord(_ id: String, engine: Engine) -> JobRecord? {
        running.withLock { running in
            guard let local = running[id] else { return nil }
            var record = local.record
            if !record.state.isFinal {
                (record.phase, record.rows) = local.progress.snapshot
                record.updatedMs = engine.clock()
            }
            record.cancelRequested = record.cancelRequested || local.cancelRequested
            return record
        }
    }

    /// The job as it is now: its record, with this process's live progress when it runs here,
    /// and given up as failed when the server running it stopped. Nil for no such job.
    public func status(_ id: String, engine: Engine) async throws(RestableError) -> JobRecord? {
        guard let record = try await record(id, engine: engine) else { return nil }
        return try await judged(record, engine: engine)
    }

    /// A job as ``record(_:engine:)`` read it, given up as failed when the server running it
    /// stopped (see ``status(_:engine:)``).
    public func judged(_ record: JobRecord, engine: Engine) async throws(RestableError) -> JobRecord {
        let id = record.id
        guard !record.state.isFinal, running.withLock({ $0[id] == nil }) else {
            _ = seen.withLock { $0.removeValue(forKey: id) }
            return record
        }
        let stopped: Bool
        if record.server == server {
            // It ran here and is gone from this process without its end written down.
            stopped = true
        } else if engine.writesConcurrently {
            let now = ContinuousClock.now
            let since = seen.withLock { seen -> ContinuousClock.Instant in
                if let last = seen[id], last.updated == record.updatedMs { return last.since }
                seen[id] = (record.updatedMs, now)
                return now
            }
            stopped = now - since > staleAfter
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
        _ = seen.withLock { $0.removeValue(forKey: id) }
        return try await engine.abandon(record, reason: reason) ?? record
    }

    /// Asks for the job to be cancelled and waits (up to `wait`) for it to end. Returns its
    /// record then, or as it is when the wait is over (or the caller went away).
    public func cancel(_ id: String, engine: Engine, wait: Duration) async throws(RestableError) -> JobRecord? {
        let local = running.withLock { running -> Bool in
            guard running[id] != nil else { return false }
            running[id]?.cancelRequested = true
            running[id]?.task?.cancel()
            return true
        }
        if !local {
            guard try await engine.requestCancel(id) != nil else { return nil }
        }
        let deadline = ContinuousClock.now + wait
        while true {
            guard let record = try await status(id, engine: engine) else { return nil }
            if record.state.isFinal || ContinuousClock.now >= deadline || Task.isCancelled { return record }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Cancels every job running here, as the server stops, and waits (up to `wait`) until
    /// each has rolled back and written down that it was cancelled.
    public func stopAll(wait: Duration) async {
        let tasks = running.withLock { running in
            stopping.withLock { $0 = true }
            return running.values.compactMap(\.task)
        }
        guard !tasks.isEmpty else { return }
        logger.notice("cancelling the jobs still running, as the server stops", metadata: ["jobs": "\(tasks.count)"])
        for task in tasks { task.cancel() }
        let deadline = ContinuousClock.now + wait
        while running.withLock({ !$0.isEmpty }), ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
        }
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

/// The state of a job, as ``RestableTables/jobs`` keeps it.
public enum JobState: String, Sendable {
    /// Its transaction is open, or about to open.
    case running
    /// Its transaction committed and the server is writing down the answer (briefly).
    case committed
    /// Its request ran to its answer, which ``JobRecord/status`` and ``JobRecord/response``
    /// hold: the answer the request would have given without `respond-async`, an error included.
    case completed
    /// It could not run to its answer (its server stopped, or the database failed): its
    /// transaction rolled back, so nothing changed.
    case failed
    /// Cancelled before it committed: its transaction rolled back, so nothing changed.
    case cancelled

    /// Whether the job has ended.
    public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
}

/// One job, as the database keeps it.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    /// The path of the mount the job was started on.
    public var mount: String
    /// The request that started it (`DELETE /api/customer?...`), for the job's status.
    public var request: String
    /// Who started it (nil: an unauthenticated mount); only they see it.
    public var principal: String?
    /// The server process running it (``JobRunnerIdentity``).
    public var server: String
    public var state: JobState
    public var phase: JobPhase
    /// Rows changed so far (while running), as of the last heartbeat.
    public var rows: Int
    public var cancelRequested: Bool
    public var createdMs: Int64
    /// When the server running it last wrote its heartbeat (or its progress).
    public var updatedMs: Int64
    public var finishedMs: Int64?
    /// The HTTP status of its answer, once completed.
    public var status: Int?
    /// Its answer's body (JSON text), once completed.
    public var response: String?
    /// The headers of its answer that say something about it (`ETag`, `Preference-Applied`,
    /// `Restable-Transaction`), as a JSON object's text.
    public var responseHeaders: String?
    /// The journal's transaction of what it committed, when it committed one.
    public var transaction: String?
    /// Why it failed or was cancelled.
    public var detail: String?

    public init(id: String, mount: String, request: String, principal: String?, server: String, at now: Int64) {
        self.id = id
        self.mount = mount
        self.request = request
        self.principal = principal
        self.server = server
        self.state = .running
        self.phase = .queued
        self.rows = 0
        self.cancelRequested = false
        self.createdMs = now
        self.updatedMs = now
    }

    init(_ row: Row) throws(RestableError) {
        func text(_ name: String) -> String? { if case .text(let value) = row[name] { value } else { nil } }
        func integer(_ name: String) -> Int64? { if case .integer(let value) = row[name] { value } else { nil } }
        guard let id = text("id"), let mount = text("mount"), let request = text("request"), let server = text("server"),
            let state = text("state").flatMap(JobState.init(rawValue:)), let phase = text("phase").flatMap(JobPhase.init(rawValue:)),
            let rows = integer("rows_done"), let created = integer("created_ms"), let updated = integer("updated_ms")
        else {
            throw RestableError(.internalError, "a job's record in the database is damaged; the server log has the details")
        }
        self.init(id: id, mount: mount, request: request, principal: text("principal"), server: server, at: created)
        self.state = state
        self.phase = phase
        self.rows = Int(rows)
        if case .boolean(let flag) = row["cancel_requested"] { cancelRequested = flag }
        updatedMs = updated
        finishedMs = integer("finished_ms")
        status = integer("status").map(Int.init)
        response = text("response")
        responseHeaders = text("response_headers")
        transaction = text("transaction_id")
        detail = text("detail")
    }

    var values: [String: Value] {
        func optional(_ text: String?) -> Value { text.map(Value.text) ?? .null }
        return [
            "id": .text(id), "mount": .text(mount), "request": .text(request), "principal": optional(principal), "server": .text(server),
            "state": .text(state.rawValue), "phase": .text(phase.rawValue), "rows_done": .integer(Int64(rows)),
            "cancel_requested": .boolean(cancelRequested), "created_ms": .integer(createdMs), "updated_ms": .integer(updatedMs),
            "finished_ms": finishedMs.map(Value.integer) ?? .null, "status": status.map { .integer(Int64($0)) } ?? .null,
            "response": optional(response), "response_headers": optional(responseHeaders), "transaction_id": optional(transaction), "detail": optional(detail),
        ]
    }
}

/// The job a request runs as: its id, and where its transaction reports progress.
public struct JobTicket: Sendable {
    public var id: String
    public var progress: JobProgress

    public init(id: String, progress: JobProgress) {
        self.id = id
        self.progress = progress
    }
}

/// Jobs in ``RestableTables/jobs``. These calls act for the server, not for a caller: the
/// dialect checks that a caller asks only for its own jobs.
extension Engine {
    /// How long a finished job's record is kept (removed as new jobs start).
    public static let jobRetention: Int64 = 24 * 3_600_000

    private static func job(_ id: String) -> RowPredicate { RowPredicate([.compare(column: "id", .eq, .text(id))]) }

    private static func job(_ id: String, in state: JobState) -> RowPredicate {
        RowPredicate([.compare(column: "id", .eq, .text(id)), .compare(column: "state", .eq, .text(state.rawValue))])
    }

    /// Writes down a new job (and removes the jobs that ended more than ``jobRetention`` ago).
    public func record(_ job: JobRecord) async throws(RestableError) {
        let expired = clock() - Self.jobRetention
        try await unwatched().run(write: true) { session in
            _ = try await session.delete(RestableTables.jobs, where: RowPredicate([.compare(column: "finished_ms", .lt, .integer(expired))]))
            try await session.append(RestableTables.jobs, values: job.values)
        }
    }

    /// The job with this id, as the database has it.
    public func jobRecord(_ id: String) async throws(RestableError) -> JobRecord? {
        let rows = try await unwatched().run(write: false) { session in
            try await session.select(RestableTables.jobs, where: Self.job(id))
        }
        return try rows.first.map(JobRecord.init)
    }

    /// The running job's heartbeat: its phase and rows so far, and now as `updated_ms`.
    /// Returns whether the job should stop: a cancel was asked for (through any server), or
    /// another server gave it up. Nothing is written for a job no longer running.
    public func beat(_ id: String, phase: JobPhase, rows: Int) async throws(RestableError) -> Bool {
        let now = clock()
        return try await unwatched().run(write: true) { session in
            _ = try await session.update(
                RestableTables.jobs, where: Self.job(id, in: .running),
                set: ["phase": .text(phase.rawValue), "rows_done": .integer(Int64(rows)), "updated_ms": .integer(now)])
            guard let row = try await session.select(RestableTables.jobs, where: Self.job(id)).first else { return true }
            return row["cancel_requested"] == .boolean(true) || row["state"] != .text(JobState.running.rawValue)
        }
    }

    /// Asks for a running job to be cancelled; the server running it sees it at its next
    /// heartbeat. Returns the record as it is now.
    public func requestCancel(_ id: String) async throws(RestableError) -> JobRecord? {
        let rows = try await unwatched().run(write: true) { session in
            _ = try await session.update(RestableTables.jobs, where: Self.job(id, in: .running), set: ["cancel_requested": .boolean(true)])
            return try await session.select(RestableTables.jobs, where: Self.job(id))
        }
        return try rows.first.map(JobRecord.init)
    }

    /// Ends a job with how it ended: `ended` as this server saw it (its `state` one of
    /// `completed`, `cancelled` or `failed`). A job that already ended (given up by another
    /// server, say) keeps its record; one whose transaction marked it committed is never
    /// written down as cancelled or failed, since its changes are in the database: it is
    /// `completed`, its answer lost, instead. Returns the record as it is now.
    @discardableResult
    public func finish(_ ended: JobRecord) async throws(RestableError) -> JobRecord? {
        let now = clock()
        var ended = ended
        ended.phase = .finished
        ended.updatedMs = now
        ended.finishedMs = now
        var values = ended.values
        for unchanged in ["id", "mount", "request", "principal", "server", "created_ms", "cancel_requested"] { values[unchanged] = nil }
        if ended.transaction == nil { values["transaction_id"] = nil }
        let rolledBack = ended.state != .completed
        let finished = values
        let id = ended.id
        let lost = "it committed, but its server lost the answer (\(ended.detail ?? "it ended")): the journal has what it did"
        let rows = try await unwatched().run(write: true) { session in
            let open: [JobState] = rolledBack ? [.running] : [.running, .committed]
            let written = try await session.update(
                RestableTables.jobs,
                where: RowPredicate([.compare(column: "id", .eq, .text(id)), .oneOf(column: "state", open.map { .text($0.rawValue) })]),
                set: finished)
            if written == 0, rolledBack {
                _ = try await session.update(
                    RestableTables.jobs, where: Self.job(id, in: .committed),
                    set: [
                        "state": .text(JobState.completed.rawValue), "phase": .text(JobPhase.finished.rawValue), "finished_ms": .integer(now),
                        "detail": .text(lost),
                    ])
            }
            return try await session.select(RestableTables.jobs, where: Self.job(id))
        }
        return try rows.first.map(JobRecord.init)
    }

    /// Marks a job whose server stopped: a running one failed (its transaction rolled back with
    /// its connection), a committed one completed without its answer (which was lost with the
    /// server; the journal has what it did). Only if the record is still `expected`, so that a
    /// job that moved on meanwhile is left alone. Returns the record as it is now.
    public func abandon(_ expected: JobRecord, reason: String) async throws(RestableError) -> JobRecord? {
        let now = clock()
        let committed = expected.state == .committed
        var values: [String: Value] = [
            "state": .text((committed ? JobState.completed : .failed).rawValue), "phase": .text(JobPhase.finished.rawValue),
            "finished_ms": .integer(now), "detail": .text(reason),
        ]
        // A job that never committed changed nothing.
        if !committed { values["rows_done"] = .integer(0) }
        let update = values
        let rows = try await unwatched().run(write: true) { session in
            _ = try await session.update(
                RestableTables.jobs,
                where: RowPredicate(Self.job(expected.id, in: expected.state).conditions + [.compare(column: "updated_ms", .eq, .integer(expected.updatedMs))]),
                set: update)
            return try await session.select(RestableTables.jobs, where: Self.job(expected.id))
        }
        return try rows.first.map(JobRecord.init)
    }

    /// Inside a job's transaction, just before it commits: marks the job committed, in the same
    /// transaction, so that the mark and the changes become visible together. Throws
    /// `CancellationError` (and the transaction rolls back) when a cancel was asked for, or
    /// when another server already gave the job up as failed.
    func markCommitting(_ ticket: JobTicket, transaction: String?, in session: any StoreSession) async throws {
        ticket.progress.enter(.committing)
        var values: [String: Value] = [
            "state": .text(JobState.committed.rawValue), "phase": .text(JobPhase.committing.rawValue),
            "rows_done": .integer(Int64(ticket.progress.snapshot.rows)), "updated_ms": .integer(clock()),
        ]
        if let transaction { values["transaction_id"] = .text(transaction) }
        let marked = try await session.update(
            RestableTables.jobs,
            where: RowPredicate(Self.job(ticket.id, in: .running).conditions + [.compare(column: "cancel_requested", .eq, .boolean(false))]),
            set: values)
        guard marked == 1 else { throw CancellationError() }
        ticket.progress.markCommitting()
    }

    /// This engine without a job or a deadline: the calls on the jobs table are not part of
    /// any job, and a job's end is written whenever it comes.
    private func unwatched() -> Engine {
        var engine = self
        engine.job = nil
        engine.deadline = nil
        return engine
    }
}

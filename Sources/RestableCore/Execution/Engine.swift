import Foundation
public import Logging

/// The engine: plans each request against the schema and runs it in one store transaction.
///
/// ```swift
/// let engine = Engine(schema: schema, store: store)
/// let outcome = try await engine.delete(DeleteRequest(resource: "customer", key: .parts(["New Customer"])))
/// ```
/// Every method throws only ``RestableError``; store failures are translated here.
public struct Engine: Sendable {
    public let schema: Schema
    public let planner: Planner
    let store: any Store
    let logger: Logger
    /// How many rows a summary lists unless a request asks for fewer; counts are always complete.
    public let summaryLimit: Int
    /// Who the requests of this engine value act for (see ``acting(as:requestID:)``).
    public private(set) var access: Access = .unrestricted
    /// The id of the request this engine value serves, for the log line of each change.
    public private(set) var requestID: String?
    /// Milliseconds since 1970 (the hourly budget's time); a test may set another clock.
    public var clock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
    /// How long a request may run, from ``acting(as:requestID:)`` to its commit; nil: no limit.
    /// Past it the request stops at its next statement and rolls back (`timedOut`).
    public var requestTimeout: Duration? = Engine.defaultRequestTimeout
    /// How many keys (or batch operations) one request may name; more is refused
    /// (`planTooLarge`) before anything changes.
    public var maximumKeys = Engine.defaultMaximumKeys
    /// The journal of deletes (nil: none): every committed transaction that deletes records,
    /// in itself, each row it deleted and each column it set to null, so that it can be shown
    /// and undone. Needs ``RestableTables/journalSchema``'s tables.
    public var journal: JournalSettings?
    /// How long a delete's preview is kept (nil: previews are not made). Needs
    /// ``RestableTables/previews``.
    public var previewRetention: RetentionPeriod?
    /// Told of every committed change, refused delete and store transaction (metrics).
    public var observer: (any EngineObserver)?
    /// The job this engine value's request runs as (`Prefer: respond-async`), if any: its write
    /// transaction reports progress, stops when the job's task is cancelled, and marks the job
    /// committed in itself (``markCommitting(_:transaction:in:)``).
    public var job: JobTicket?
    /// When the request this engine value serves must be done (set by ``acting(as:requestID:)``).
    var deadline: ContinuousClock.Instant?

    public static let defaultSummaryLimit = 1_000
    public static let defaultRequestTimeout = Duration.seconds(120)
    public static let defaultMaximumKeys = 1_000_000

    public init(
        schema: Schema, store: any Store, summaryLimit: Int = Engine.defaultSummaryLimit,
        logger: Logger = Logger(label: "restable.engine")
    ) {
        self.schema = schema
        self.planner = Planner(schema: schema)
        self.store = store
        self.summaryLimit = summaryLimit
        self.logger = logger
    }

    /// This engine acting for a caller: every later request checks the caller's roles, and
    /// every change is logged with its name and the request's id.
    public func acting(as access: Access, requestID: String? = nil) -> Engine {
        var engine = self
        engine.access = access
        engine.requestID = requestID
        engine.deadline = requestTimeout.map { ContinuousClock.now + $0 }
        return engine
    }

    /// This engine running its request as `job`: its deadline is `timeout` from now (nil: none)
    /// instead of the request's own, since a job outlives the request that started it.
    public func running(as job: JobTicket, timeout: Duration?) -> Engine {
        var engine = self
        engine.job = job
        engine.requestTimeout = timeout
        engine.deadline = timeout.map { ContinuousClock.now + $0 }
        return engine
    }

    /// Whether the store can run a second write transaction while one is open (PostgreSQL), or
    /// queues it behind the open one (SQLite).
    public var writesConcurrently: Bool { store.writesConcurrently }

    var authorization: Authorization { Authorization(access: access) }

    /// Whether the caller's roles grant `action` on the resource (row policies aside): what an
    /// API description shows this caller.
    public func permits(_ action: Action, on resource: String) -> Bool {
        authorization.allows(action, on: resource)
    }

    /// Rows of a resource matching the request's filter (and the caller's read policies), in
    /// the request's order, which always ends with the key.
    public func list(_ request: ListRequest) async throws(RestableError) -> [Row] {
        let read = try readPlan(request)
        let rows = try await run(write: false) { session in
            try await session.select(read.resource, where: read.predicate, order: read.order, limit: read.limit, offset: read.offset)
        }
        return read.reversed ? rows.reversed() : rows
    }

    /// How many rows a list request matches, without its limit, offset or cursor.
    public func count(_ request: ListRequest) async throws(RestableError) -> Int {
        var whole = request
        (whole.cursor, whole.limit, whole.offset) = (nil, nil, nil)
        let read = try readPlan(whole)
        return try await run(write: false) { session in
            try await session.count(read.resource, where: read.predicate)
        }
    }

    func readPlan(_ request: ListRequest) throws(RestableError) -> ReadPlan {
        let resource = try schema.require(request.resource)
        try authorization.require(.read, on: resource)
        var plan = try planner.plan(request)
        if let filter = authorization.rows(.read, of: resource) { plan.predicate.conditions.append(filter.condition) }
        if request.includesTrashed {
            plan.resource = resource.stored
        } else if let live = resource.live {
            plan.predicate.conditions.append(live)
        }
        return plan
    }

    /// One row by key, or `notFound` (also for a row the caller's read policies hide, and for
    /// a row in the trash unless `includesTrashed`, when the row carries its trash column).
    public func get(resource name: String, key input: KeyInput, includesTrashed: Bool = false) async throws(RestableError) -> Row {
        let resource = try schema.require(name)
        try authorization.require(.read, on: resource)
        let key = try planner.key(input, of: resource)
        let read = includesTrashed ? resource.stored : resource
        let predicate = includesTrashed ? visible(.key(key, of: resource), of: resource) : live(visible(.key(key, of: resource), of: resource), of: resource)
        let rows = try await run(write: false) { session in
            try await session.select(read, where: predicate)
        }
        guard let row = rows.first else { throw Self.notFound(resource, key) }
        return row
    }

    /// `predicate` narrowed to the live rows of a resource with soft delete (itself otherwise).
    func live(_ predicate: RowPredicate, of resource: Resource) -> RowPredicate {
        guard let live = resource.live else { return predicate }
        return RowPredicate(predicate.conditions + [live])
    }

    /// `predicate` narrowed to the rows the caller's read policies let it see. A caller
    /// without `read` on the resource (one that may only delete, say) is narrowed by its
    /// other policies alone.
    func visible(_ predicate: RowPredicate, of resource: Resource) -> RowPredicate {
        guard authorization.allows(.read, on: resource.name), let filter = authorization.rows(.read, of: resource) else { return predicate }
        return RowPredicate(predicate.conditions + [filter.condition])
    }

    /// Inserts one row and returns it as stored.
    public func create(_ request: CreateRequest) async throws(RestableError) -> Row {
        let resource = try schema.require(request.resource)
        try authorization.require(.insert, on: resource)
        let plan = try planner.plan(request)
        let row = try await run(write: true) { session in
            try await self.insert(plan, in: session)
        }
        logChange("insert", of: resource, counts: ChangeCounts(.insert, resource.name))
        return row
    }

    /// Updates one row, after checking its precondition, and returns it as stored.
    public func update(_ request: UpdateRequest) async throws(RestableError) -> Row {
        let resource = try schema.require(request.resource)
        try authorization.require(.update, on: resource)
        let plan = try planner.plan(request)
        let row = try await run(write: true) { session in
            try await self.update(plan, in: session)
        }
        logChange("update", of: resource, counts: ChangeCounts(.update, resource.name))
        return row
    }

    /// Inserts a checked row inside an open transaction; a row that the caller's insert
    /// policies do not allow is refused (`forbidden`, and the transaction rolls back).
    func insert(_ plan: InsertPlan, in session: any StoreSession) async throws -> Row {
        try await checkConflicts(plan.values, of: plan.resource, excluding: nil, in: session)
        let row = try await session.insert(plan.resource, values: plan.values)
        // A resource without a key is read-only, so an inserted row always has one.
        if let filter = authorization.rows(.insert, of: plan.resource) {
            let key = row.key(in: plan.resource)
            guard try await count([key], of: plan.resource, meeting: filter, in: session) == 1 else {
                throw forbiddenRow(plan.resource, key, "insert", filter)
            }
        }
        return row
    }

    /// Updates a row inside an open transaction; returns it as it is. A row the caller may not
    /// read is `notFound`; one it may read but not update, before or after the change, is
    /// `forbidden`.
    @discardableResult
    func update(_ plan: UpdatePlan, in session: any StoreSession) async throws -> Row {
        let predicate = live(RowPredicate.key(plan.key, of: plan.resource), of: plan.resource)
        guard let row = try await session.select(plan.resource, where: visible(predicate, of: plan.resource)).first else {
            throw Self.notFound(plan.resource, plan.key)
        }
        let filter = authorization.rows(.update, of: plan.resource)
        if let filter, try await count([plan.key], of: plan.resource, meeting: filter, in: session) == 0 {
            throw forbiddenRow(plan.resource, plan.key, "update", filter)
        }
        try plan.precondition.check(row, in: plan.resource)
        guard !plan.values.isEmpty else { return row }
        try await checkConflicts(plan.values, of: plan.resource, excluding: plan.key, in: session)
        _ = try await session.update(plan.resource, where: predicate, set: plan.values)
        guard let updated = try await session.select(plan.resource, where: predicate).first else {
            throw Self.notFound(plan.resource, plan.key)
        }
        if let filter, try await count([plan.key], of: plan.resource, meeting: filter, in: session) == 0 {
            throw RestableError(
                .forbidden,
                "\(plan.resource.name) \(plan.key) may not be changed so by \(Authorization.who(authorization.principal!)): the row would no longer meet \(filter.described); nothing was changed",
                resource: plan.resource.name, key: plan.key)
        }
        return updated
    }

    /// How many of the rows with these keys meet a policy filter, counted by the database a
    /// chunk of keys at a time.
    func count(_ keys: [Key], of resource: Resource, meeting filter: Authorization.RowFilter, in session: any StoreSession) async throws -> Int {
        let compact = CompactKeys(keys)
        var meeting = 0
        for chunk in compact.chunks(of: Engine.chunkSize) {
            meeting += try await session.count(resource, where: RowPredicate([.tupleIn(columns: resource.key, compact.values(chunk)), filter.condition]))
        }
        return meeting
    }

    /// A row the caller can read but whose action a row policy does not allow.
    func forbiddenRow(_ resource: Resource, _ key: Key, _ action: String, _ filter: Authorization.RowFilter) -> RestableError {
        let who = authorization.principal.map(Authorization.who) ?? "the caller"
        return RestableError(
            .forbidden, "\(who) may not \(action) \(resource.name) \(key): it does not meet \(filter.described)",
            resource: resource.name, key: key)
    }

    /// The journal of a write about to start: nil when there is none, or for a dry run (which
    /// commits nothing), unless `capture` is to be handed the rows the write touches.
    func journalRecorder(dryRun: Bool, capture: PreviewCapture? = nil) -> JournalRecorder? {
        let settings = dryRun ? nil : journal
        guard settings != nil || capture != nil else { return nil }
        return JournalRecorder(transaction: TransactionID.make(at: clock()), settings: settings, capture: capture)
    }

    /// Ends a journaled transaction that deleted: writes its own row and names it in the outcome.
    func finishJournal(
        _ recorder: JournalRecorder?, _ outcome: inout ChangeOutcome, action: String, resource: String?, undoOf: String? = nil,
        in session: any StoreSession
    ) async throws {
        guard let recorder, recorder.settings != nil, outcome.counts.total > 0 else { return }
        try await recorder.finish(
            action: action, resource: resource, counts: outcome.counts, principal: authorization.principal?.name, requestID: requestID,
            at: clock(), undoOf: undoOf, in: session)
        outcome.transaction = recorder.transaction
    }

    /// The one structured line of a committed change: who, which request, what, how many.
    func logChange(_ change: String, of resource: Resource?, counts: ChangeCounts) {
        observer?.committed(change, counts: counts)
        // Built only when the line is written: a server at `warning` writes none.
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = ["change": "\(change)", "principal": "\(access.callerName)"]
        if let resource { metadata["resource"] = "\(resource.name)" }
        if let requestID { metadata["request"] = "\(requestID)" }
        for (name, count) in counts.logged { metadata[name] = "\(count)" }
        logger.info("change committed", metadata: metadata)
    }

    static func notFound(_ resource: Resource, _ key: Key) -> RestableError {
        RestableError(.notFound, "\(resource.name) \(key) does not exist", resource: resource.name, key: key)
    }

    /// A delete of a row in the trash: to everything but a purge or an undelete it does not exist.
    static func inTrash(_ resource: Resource, _ key: Key) -> RestableError {
        RestableError(.notFound, "\(resource.name) \(key) does not exist (it is in the trash)", resource: resource.name, key: key)
    }

    /// A purge or an undelete of a live row.
    static func notInTrash(_ resource: Resource, _ key: Key, _ what: String) -> RestableError {
        RestableError(
            .notInTrash, "\(resource.name) \(key) is not in the trash, so it cannot be \(what); nothing was changed",
            resource: resource.name, key: key)
    }

    /// Runs `body` in a transaction and narrows every error to ``RestableError``. A body that
    /// throws ``RollbackSignal`` rolls back and returns the signal's outcome.
    func run<T: Sendable>(
        write: Bool, _ body: @escaping @Sendable (any StoreSession) async throws -> T
    ) async throws(RestableError) -> T {
        var guarded: @Sendable (any StoreSession) async throws -> T
        if let deadline, let requestTimeout {
            guarded = { session in
                let session = DeadlineSession(base: session, deadline: deadline, timeout: requestTimeout)
                try session.check()
                let result = try await body(session)
                // Checked once more before the commit: a request past its deadline changes nothing.
                try session.check()
                return result
            }
        } else {
            guarded = body
        }
        if write, let job {
            let inner = guarded
            guarded = { session in
                job.progress.restart()
                let result = try await inner(ProgressSession(base: session, progress: job.progress))
                try Task.checkCancellation()
                try await self.markCommitting(job, transaction: (result as? ChangeOutcome)?.transaction, in: session)
                return result
            }
        }
        observer?.transaction(write: write, started: true)
        defer { observer?.transaction(write: write, started: false) }
        do {
            guard write else { return try await store.read(guarded) }
            // A job's long transaction runs alone: no other write waits for its commit.
            return job != nil ? try await store.writeAlone(guarded) : try await store.write(guarded)
        } catch let signal as RollbackSignal {
            guard let value = signal.outcome as? T else {
                throw RestableError(.internalError, "the request failed inside the server; the server log has the details")
            }
            return value
        } catch let error as RestableError where !Task.isCancelled {
            throw error
        } catch where Task.isCancelled || error is CancellationError {
            // Whatever stopped it (an interrupted statement, say), a cancelled request rolled back.
            logger.notice("request cancelled before it committed; rolled back")
            throw RestableError(.cancelled, "the request was cancelled before it committed; nothing was changed")
        } catch {
            logger.error("store failure", metadata: ["error": "\(String(reflecting: error))"])
            throw RestableError(.internalError, "the request failed inside the database; the server log has the details")
        }
    }
}

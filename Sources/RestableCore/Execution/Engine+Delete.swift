/// The rules of a delete (DELETE-SEMANTICS.md): gather the targets and check each on its own,
/// plan the whole request, refuse what the plan says must be refused, then apply the plan.
extension Engine {
    /// How many targets are read and fetched per round of set-based statements.
    static let chunkSize = 5_000

    /// Deletes one row and follows its relationships, all in one transaction.
    ///
    /// Fails with `notFound` (unless `ignoreMissing`), `checksumMismatch`, `checksumRequired`,
    /// `restricted` or `tooManyAffected`; in every failure nothing changes.
    public func delete(_ request: DeleteRequest) async throws(RestableError) -> ChangeOutcome {
        let outcome = try await deleteMany(request.asMany)
        if let failure = outcome.failures.first { throw failure.error }
        return outcome
    }

    /// Deletes many rows of one resource in one transaction (see ``BulkDeleteRequest``).
    ///
    /// Throws only for the request as a whole (unknown resource, malformed key or filter,
    /// `unboundedDelete`, `tooManyAffected`); the failures of single targets are in the outcome,
    /// whose kind says whether all, some or none went. Strict failures, `none` outcomes and dry
    /// runs are rolled back.
    func unobservedDeleteMany(_ request: BulkDeleteRequest) async throws(RestableError) -> ChangeOutcome {
        let (resource, selection) = try checked(request)
        return try await delete(selection, of: resource, options: request.options)
    }

    /// Refuses, without touching the database, what ``delete(_:)`` would refuse before its
    /// transaction: an unknown resource, an action the caller's roles do not allow, a read-only
    /// resource, a malformed key or filter. A request run later (as a job) is checked first.
    public func check(_ request: DeleteRequest) throws(RestableError) {
        let (resource, _) = try checked(request.asMany)
        _ = try planner.key(request.key, of: resource)
    }

    /// ``check(_:)-(DeleteRequest)`` for a delete of many rows; its keys are read when it runs.
    public func check(_ request: BulkDeleteRequest) throws(RestableError) {
        _ = try checked(request)
    }

    /// The resource of a delete and the rows it selects, once every check that needs no
    /// database has passed.
    private func checked(_ request: BulkDeleteRequest) throws(RestableError) -> (Resource, TargetGathering.Selection) {
        let resource = try schema.require(request.resource)
        let options = request.options
        try authorization.require(options.purge ? .purge : .delete, on: resource)
        try planner.requireWritable(resource, "deleted")
        if options.purge, resource.softDelete == nil {
            throw RestableError(
                .invalidQuery, "\(resource.name) keeps no trash (it has no softDelete), so there is nothing to purge", resource: resource.name)
        }
        if let max = options.maxAffected, max < 0 {
            throw RestableError(.invalidQuery, "max-affected must be zero or more, got \(max)")
        }
        // Rows a filter may select: live ones, or for a purge those in the trash.
        let scope = options.purge ? resource.trashed : resource.live
        let selection: TargetGathering.Selection
        switch request.selection {
        case .keys(let source):
            selection = .keys(source)
        case .filter(let filter, let precondition):
            guard !filter.isEmpty else {
                throw RestableError(
                    .unboundedDelete, "a delete of \(resource.name) needs keys or a filter, or must say it means every row",
                    resource: resource.name)
            }
            var predicate = visible(try planner.predicate(filter, of: resource), of: resource)
            if let scope { predicate.conditions.append(scope) }
            selection = .rows(predicate, precondition)
        case .everyRow(let precondition):
            selection = .rows(visible(RowPredicate(scope.map { [$0] } ?? []), of: resource), precondition)
        }
        return (resource, selection)
    }

    /// ``deleteMany(_:)`` once its selection is checked: also the purge of rows past their
    /// time in the trash, whose selection no client could write.
    func delete(_ selection: TargetGathering.Selection, of resource: Resource, options: DeleteOptions) async throws(RestableError) -> ChangeOutcome {
        let mode = DeleteMode.of(resource, purge: options.purge)
        let limit = options.summaryLimit ?? summaryLimit
        let direct = deletesDirectly(resource)
        // The tree path deletes; a resource with a trash is always planned.
        let tree = direct || resource.softDelete != nil ? nil : reachTree(of: resource)
        let capture = try previewCapture(options)
        let journal = journalRecorder(dryRun: options.dryRun, capture: capture)
        var outcome = try await run(write: true) { session in
            // A store may run this body again (PostgreSQL, after a deadlock): each attempt
            // captures only the rows it touches itself.
            capture?.reset()
            var outcome: ChangeOutcome
            do {
                outcome = try await self.delete(
                    selection, of: resource, options: options, mode: mode, summaryLimit: limit, direct: direct, tree: tree, journal: journal,
                    in: session)
            } catch let signal as RollbackSignal {
                // A dry run is checked against its preview too; a refusal answers for itself.
                if case .expect(let tag) = options.preview, let capture, let refused = signal.outcome as? ChangeOutcome, refused.kind != .none {
                    try await self.check(capture.preview, against: tag, in: session)
                }
                throw signal
            }
            if case .expect(let tag) = options.preview, let capture { try await self.check(capture.preview, against: tag, in: session) }
            try await self.finishJournal(journal, &outcome, action: options.purge ? "purge" : "delete", resource: resource.name, in: session)
            return outcome
        }
        if options.preview == .make, let capture, outcome.kind != .none {
            let preview = capture.preview
            try await keep(preview, of: resource)
            outcome.preview = preview.tag
        }
        if !options.dryRun, outcome.kind != .none { logChange(options.purge ? "purge" : "delete", of: resource, counts: outcome.counts) }
        return outcome
    }

    /// Where a delete hands the rows it touches for its preview: nil when it makes or checks none.
    private func previewCapture(_ options: DeleteOptions) throws(RestableError) -> PreviewCapture? {
        switch options.preview {
        case nil:
            return nil
        case .make:
            guard options.dryRun else { throw RestableError(.invalidQuery, "a preview is made by a dry run") }
            guard previewRetention != nil else { throw RestableError(.invalidQuery, "this server keeps no previews of deletes") }
        case .expect(let tag):
            guard Preview.isTag(tag) else {
                throw RestableError(.invalidHeader, "'\(tag)' is not a preview's tag (P: and 32 lowercase hex digits)")
            }
        }
        return PreviewCapture()
    }

    /// The body of ``deleteMany(_:)``, in its transaction: the outcome to commit, or a
    /// ``RollbackSignal`` carrying the outcome of a request that commits nothing.
    func delete(
        _ selection: TargetGathering.Selection, of resource: Resource, options: DeleteOptions, mode: DeleteMode, summaryLimit limit: Int,
        direct: Bool, tree: ReachTree?, journal: JournalRecorder?, in session: any StoreSession
    ) async throws -> ChangeOutcome {
        if direct, case .keys(let source) = selection {
            return try await self.deleteDirectly(source, of: resource, options: options, summaryLimit: limit, journal: journal, in: session)
        }
        var gathering = TargetGathering(engine: self, resource: resource, options: options, failureLimit: self.summaryLimit)
        try await gathering.gather(selection, in: session)
        var failures = gathering.failures
        var ready = gathering.ready
        // One row with a summary is planned: reading its few dependents costs no more than
        // naming them through their parents, and the summary needs their rows anyway.
        if let tree, ready.count > 1 || (limit == 0 && !ready.isEmpty), options.handling == .lenient || failures.isEmpty {
            return try await self.deleteTree(
                tree, targets: ready, failures: failures, options: options, summaryLimit: limit, journal: journal, in: session)
        }
        var accepted: DeletePlan?
        var rounds = 0
        while accepted == nil, !ready.isEmpty {
            rounds += 1
            guard rounds <= Self.maximumLenientRounds else {
                throw RestableError(
                    .planTooLarge,
                    "a lenient delete left out refused targets \(Self.maximumLenientRounds) times and still found more; nothing was changed: send it strict, or in smaller parts")
            }
            let (plan, refused) = try await self.planDelete(ready, of: resource, targetRows: gathering.readyRows, mode: mode, in: session)
            if refused.isEmpty {
                accepted = plan
            } else {
                for (key, error) in refused.entries { failures.add(TargetFailure(key: key, index: ready[key], error: error)) }
                ready = options.handling == .strict ? KeyMap() : ready.filter { refused[$0] == nil }
            }
        }
        guard let plan = accepted, options.handling == .lenient || failures.isEmpty else {
            return try Self.committable(ChangeOutcome(failures: failures, kind: failures.isEmpty ? .all : .none, dryRun: options.dryRun), options)
        }
        try await self.authorizeReach(of: plan, in: session)
        // A purge counts against the budget of the roles that may purge.
        let action: Action = options.purge ? .purge : .delete
        try self.checkRequestBudget(plan.rowCount, deleting: resource, by: action)
        if let max = options.maxAffected, plan.deletedCount(of: resource.name) > max {
            throw Self.tooManyAffected(plan.deletedCount(of: resource.name), max, resource)
        }
        if !options.dryRun { try await self.chargeHourlyBudget(plan.rowCount, deleting: resource, by: action, in: session) }
        let (changes, counts, truncated) = try await self.apply(plan, mode: mode, summaryLimit: limit, journal: journal, in: session)
        let outcome = ChangeOutcome(
            changes: changes, truncated: truncated, counts: counts, succeeded: ready.count, failures: failures,
            kind: failures.isEmpty ? .all : .partial, dryRun: options.dryRun)
        return try Self.committable(outcome, options)
    }

    /// The mark of the rows one delete puts in the trash: now, to the microsecond. The clock
    /// counts milliseconds, so the microseconds are random: two deletes in one millisecond
    /// still mark their rows apart (an undelete restores the rows that share a mark).
    func trashMark() throws(RestableError) -> Value {
        let microseconds = clock() * 1000 + Int64.random(in: 0..<1000)
        guard let text = Timestamp.format(microseconds) else {
            throw RestableError(.internalError, "the server's clock is out of the range of a timestamp")
        }
        return .text(text)
    }

    /// A delete of more rows of the addressed resource than the request's max-affected allows.
    static func tooManyAffected(_ count: Int, _ max: Int, _ resource: Resource) -> RestableError {
        RestableError(
            .tooManyAffected, "this delete would remove \(count) \(resource.name) rows, more than the \(max) allowed; nothing was deleted",
            resource: resource.name, count: count)
    }

    /// Refuses (`overBudget`, nothing changed) a delete of more rows than the caller's roles
    /// that grant `action` on the resource allow one request.
    func checkRequestBudget(_ rows: Int, deleting resource: Resource, by action: Action = .delete) throws(RestableError) {
        guard let limit = authorization.maxRowsPerRequest(deleting: resource.name, by: action), rows > limit else { return }
        throw RestableError(
            .overBudget,
            "this delete would delete or detach \(rows) rows (cascades and set-nulls counted), more than the \(limit) that \(authorization.principal.map(Authorization.who) ?? "the caller") may in one request; nothing was changed: send it in smaller parts",
            resource: resource.name, count: rows)
    }

    /// Applies a plan: reads the summary's rows as they are (at most `summaryLimit`), clears
    /// the set-null columns, then deletes, deepest rows first. Returns the summary, the counts,
    /// and whether the summary was capped.
    /// In `.trash` mode the rows are marked instead, all with one instant (see ``trashMark()``).
    func apply(
        _ plan: DeletePlan, mode: DeleteMode = .hard, summaryLimit: Int, journal: JournalRecorder?, in session: any StoreSession
    ) async throws -> ([Change], ChangeCounts, Bool) {
        let (listed, counts, total) = plan.summary(limit: max(0, summaryLimit))
        var rowsByResource: [String: KeyMap<Row>] = [:]
        for name in Set(listed.map(\.row.resource)).sorted() {
            let resource = try schema.require(name)
            var found = KeyMap<Row>()
            var unread: [[Value]] = []
            for entry in listed where entry.row.resource == name {
                if let row = plan.remembered(entry.row.key, of: name) {
                    found[entry.row.key] = row
                } else {
                    unread.append(entry.row.key.values)
                }
            }
            if !unread.isEmpty {
                for row in try await session.select(resource, where: .columns(resource.key, in: unread)) { found[row.key(in: resource)] = row }
            }
            rowsByResource[name] = found
        }
        var changes: [Change] = []
        for entry in listed {
            let resource = try schema.require(entry.row.resource)
            guard let row = rowsByResource[entry.row.resource]?[entry.row.key] else {
                throw RestableError(.internalError, "a planned row vanished inside its transaction")
            }
            changes.append(Change(resource: resource, verb: entry.verb, row: row))
        }
        for (name, rows) in plan.cleared.sorted(by: { $0.key < $1.key }) {
            let resource = try schema.require(name)
            var byColumns: [[String]: [[Value]]] = [:]
            rows.forEach { key, cleared in byColumns[cleared.columns.sorted(), default: []].append(key.values) }
            for (columns, keys) in byColumns.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let values = Dictionary(uniqueKeysWithValues: columns.map { ($0, Value.null) })
                let predicate = RowPredicate.columns(resource.key, in: keys)
                if let journal, journal.keepsRows(of: resource) {
                    try await journal.record(.setNull, try await session.select(resource, where: predicate), of: resource, cleared: columns, in: session)
                }
                _ = try await session.update(resource, where: predicate, set: values)
            }
        }
        let deepest = plan.deleted.mapValues { rows in
            var deepest = 0
            rows.forEach { _, depth in deepest = max(deepest, depth) }
            return deepest
        }
        let order = plan.deleted.keys.sorted { a, b in
            deepest[a] != deepest[b] ? deepest[a, default: 0] > deepest[b, default: 0] : a < b
        }
        let mark = mode == .trash ? try trashMark() : .null
        for name in order {
            guard let rows = plan.deleted[name], !rows.isEmpty else { continue }
            let resource = try schema.require(name)
            let keys = rows.keys
            for chunk in keys.chunks(of: Self.chunkSize) {
                try Task.checkCancellation()
                let predicate = RowPredicate.columns(resource.key, in: keys.values(chunk))
                if mode == .trash, let softDelete = resource.softDelete {
                    let live = self.live(predicate, of: resource)
                    if let journal, journal.keepsRows(of: resource) {
                        // Each with the mark it is given, which an undo compares.
                        let marked = try await session.select(resource, where: live).map { row in
                            var row = row
                            row[softDelete.column] = mark
                            return row
                        }
                        try await journal.record(.trash, marked, of: resource, in: session)
                    }
                    _ = try await session.update(resource.stored, where: live, set: [softDelete.column: mark])
                } else if let journal, journal.keepsRows(of: resource) {
                    try await journal.record(
                        .delete, try await session.delete(resource, where: predicate, returning: resource.stored.columns), of: resource, in: session)
                } else {
                    _ = try await session.delete(resource, where: predicate)
                }
            }
        }
        return (changes, counts, total > listed.count)
    }
}

extension Engine {
    /// Returns an outcome to commit, or throws it in a ``RollbackSignal`` when nothing may be
    /// committed: nothing succeeded, handling is strict and something failed, or a dry run.
    static func committable(_ outcome: ChangeOutcome, _ options: DeleteOptions) throws -> ChangeOutcome {
        if outcome.kind == .none || options.dryRun { throw RollbackSignal(outcome: outcome) }
        return outcome
    }
}

/// Carries an outcome out of a transaction that must roll back (a strict failure, a dry run).
struct RollbackSignal: Error {
    let outcome: any Sendable
}

extension RestableError {
    /// Failures that belong to one target (listed, and in lenient mode skipped), as opposed to
    /// failures of the whole request (a busy database, an internal error).
    var isTargetFailure: Bool {
        switch code {
        case .storeBusy, .storeUnavailable, .cancelled, .timedOut, .planTooLarge, .readOnly, .internalError, .schemaMismatch, .unboundedDelete,
            .tooManyAffected, .invalidQuery, .invalidBody, .unauthenticated, .overBudget, .rateLimited:
            false
        default:
            true
        }
    }
}

extension DeleteRequest {
    /// The same delete as a delete of many rows: a list of one key.
    var asMany: BulkDeleteRequest {
        BulkDeleteRequest(resource: resource, selection: .keys(KeyList([KeyedTarget(key: key, precondition: precondition)])), options: options)
    }
}

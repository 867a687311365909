/// Mixed batches: inserts, updates and deletes of any resources, in order, in one transaction.
extension Engine {
    /// Runs every operation in order; a failed operation leaves no trace (a delete runs in a
    /// savepoint), and the next one sees exactly what the earlier successful ones did.
    ///
    /// Malformed operations (unknown resource or column, bad key or value) fail the whole
    /// request before anything runs, naming the operation. Operations that fail against the
    /// data (missing row, stale checksum, restrict, conflict) are listed in the outcome: strict
    /// handling then rolls everything back, lenient handling keeps the rest.
    func unobservedBatch(_ request: BatchRequest) async throws(RestableError) -> ChangeOutcome {
        let plans = try planned(request)
        let options = request.options
        let limit = options.summaryLimit ?? summaryLimit
        let planned = plans
        let journal = journalRecorder(dryRun: options.dryRun)
        let outcome = try await run(write: true) { session in
            var log = ChangeLog(limit: limit)
            var failures: [TargetFailure] = []
            var succeeded = 0
            for (index, plan) in planned.enumerated() {
                let mark = log.checkpoint
                var attempt = log
                do {
                    // An insert or an update is one statement, atomic by itself; so is a delete
                    // of a resource that nothing depends on. Any other delete may cascade, so it
                    // runs in a savepoint.
                    if let resource = plan.deletedResource, !self.deletesDirectly(resource) {
                        try await session.savepoint {
                            try await self.perform(plan, options: options, journal: journal, in: session, log: &attempt)
                        }
                    } else {
                        try await self.perform(plan, options: options, journal: journal, in: session, log: &attempt)
                    }
                    log = attempt
                    succeeded += 1
                } catch let error as RestableError where error.isTargetFailure {
                    log.restore(mark)
                    failures.append(TargetFailure(key: plan.key, index: index, error: error))
                }
            }
            var outcome = try Self.committable(log.outcome(succeeded: succeeded, failures: failures, options: options), options)
            for (name, rows) in log.removedRowsByResource.sorted(by: { $0.key < $1.key }) {
                try await self.chargeHourlyBudget(rows, deleting: try self.schema.require(name), in: session)
            }
            if !log.removedRowsByResource.isEmpty {
                try await self.finishJournal(journal, &outcome, action: "batch", resource: nil, in: session)
            }
            return outcome
        }
        if !options.dryRun, outcome.kind != .none { logChange("batch", of: nil, counts: outcome.counts) }
        return outcome
    }

    /// An operation checked against the schema.
    enum PlannedOperation: Sendable {
        case insert(InsertPlan)
        case update(UpdatePlan)
        case delete(resource: Resource, key: Key, precondition: Precondition)
        case deleteMatching(resource: Resource, match: RowPredicate, precondition: Precondition)

        /// The resource a delete removes rows of (nil for an insert or an update).
        var deletedResource: Resource? {
            switch self {
            case .delete(let resource, _, _), .deleteMatching(let resource, _, _): resource
            case .insert, .update: nil
            }
        }

        var key: Key? {
            switch self {
            case .insert(let plan):
                let values = plan.resource.key.compactMap { plan.values[$0] }
                return values.count == plan.resource.key.count ? Key(values) : nil
            case .update(let plan): return plan.key
            case .delete(_, let key, _): return key
            case .deleteMatching: return nil
            }
        }
    }

    func plan(_ operation: BatchOperation) throws(RestableError) -> PlannedOperation {
        switch operation {
        case .insert(let resource, let values):
            try authorization.require(.insert, on: try schema.require(resource))
            return .insert(try planner.plan(CreateRequest(resource: resource, values: values)))
        case .update(let resource, let key, let values, let precondition):
            try authorization.require(.update, on: try schema.require(resource))
            return .update(try planner.plan(UpdateRequest(resource: resource, key: key, values: values, precondition: precondition)))
        case .delete(let name, let key, let precondition):
            let resource = try schema.require(name)
            try authorization.require(.delete, on: resource)
            try planner.requireWritable(resource, "deleted")
            return .delete(resource: resource, key: try planner.key(key, of: resource), precondition: precondition)
        case .deleteMatching(let name, let match, let precondition):
            let resource = try schema.require(name)
            try authorization.require(.delete, on: resource)
            try planner.requireWritable(resource, "deleted")
            guard !match.isEmpty else { throw RestableError(.invalidKey, "a delete by natural key needs at least one column", resource: name) }
            let values = try planner.values(match, of: resource)
            let predicate = RowPredicate(values.keys.sorted().map { .compare(column: $0, .eq, values[$0]!) })
            return .deleteMatching(resource: resource, match: predicate, precondition: precondition)
        }
    }

    func perform(
        _ plan: PlannedOperation, options: DeleteOptions, journal: JournalRecorder?, in session: any StoreSession, log: inout ChangeLog
    ) async throws {
        switch plan {
        case .insert(let insert):
            log.record(.insert, [try await self.insert(insert, in: session)], of: insert.resource)
        case .update(let update):
            log.record(.update, [try await self.update(update, in: session)], of: update.resource)
        case .delete(let resource, let key, let precondition):
            guard let row = try await session.select(resource, where: live(visible(.key(key, of: resource), of: resource), of: resource)).first else {
                if options.ignoreMissing { return }
                throw Self.notFound(resource, key)
            }
            try await removeChecked(row, of: resource, precondition: precondition, journal: journal, in: session, log: &log)
        case .deleteMatching(let resource, let match, let precondition):
            let rows = try await session.select(resource, where: live(visible(match, of: resource), of: resource), limit: 2, offset: nil)
            let described = match.conditions.compactMap { condition -> String? in
                if case .compare(let column, _, let value) = condition { return "\(column) '\(value)'" }
                return nil
            }.joined(separator: " and ")
            guard rows.count == 1 else {
                if rows.isEmpty, options.ignoreMissing { return }
                throw rows.isEmpty
                    ? RestableError(.notFound, "no \(resource.name) has \(described)", resource: resource.name)
                    : RestableError(.ambiguousMatch, "more than one \(resource.name) has \(described)", resource: resource.name)
            }
            try await removeChecked(rows[0], of: resource, precondition: precondition, journal: journal, in: session, log: &log)
        }
    }

    /// Deletes one row of a batch by the same plan as any delete: refused when its closure is
    /// blocked, and otherwise applied, its summary added to the batch's.
    private func removeChecked(
        _ row: Row, of resource: Resource, precondition: Precondition, journal: JournalRecorder?, in session: any StoreSession,
        log: inout ChangeLog
    ) async throws {
        let key = row.key(in: resource)
        if let filter = authorization.rows(.delete, of: resource), try await count([key], of: resource, meeting: filter, in: session) == 0 {
            throw forbiddenRow(resource, key, "delete", filter)
        }
        try precondition.check(row, in: resource)
        if deletesDirectly(resource) {
            // Its plan is the row alone, which was just read in this transaction.
            try checkRequestBudget(log.removedRows + 1, deleting: resource)
            _ = try await session.delete(resource, where: .key(key, of: resource))
            try await journal?.record(.delete, [row], of: resource, in: session)
            var counts = ChangeCounts()
            counts.add(.delete, resource.name, 1)
            let listed = log.remaining > 0 ? [Change(resource: resource, verb: .delete, row: row)] : []
            log.append(listed, counts: counts, truncated: listed.isEmpty, deleting: resource.name)
            return
        }
        var target = KeyMap<Int>()
        target[key] = 0
        var read = KeyMap<Row>()
        read[key] = row
        let mode = DeleteMode.of(resource, purge: false)
        let (plan, refused) = try await planDelete(target, of: resource, targetRows: read, mode: mode, in: session)
        if let error = refused[key] { throw error }
        try await authorizeReach(of: plan, in: session)
        try checkRequestBudget(log.removedRows + plan.rowCount, deleting: resource)
        let (changes, counts, truncated) = try await apply(plan, mode: mode, summaryLimit: log.remaining, journal: journal, in: session)
        log.append(changes, counts: counts, truncated: truncated, deleting: resource.name)
    }

    /// Refuses, without touching the database, a batch that ``batch(_:)`` would refuse before
    /// its transaction (a malformed operation, an action the caller may not do): a batch run
    /// later (as a job) is checked first.
    public func check(_ request: BatchRequest) throws(RestableError) {
        _ = try planned(request)
    }

    /// Every operation of a batch planned, or the first refusal, naming its operation.
    private func planned(_ request: BatchRequest) throws(RestableError) -> [PlannedOperation] {
        guard request.operations.count <= maximumKeys else { throw Self.tooManyKeys(maximumKeys) }
        var plans: [PlannedOperation] = []
        for (index, operation) in request.operations.enumerated() {
            do {
                plans.append(try plan(operation))
            } catch {
                var error = error
                error.message = "operation \(index): \(error.message)"
                throw error
            }
        }
        return plans
    }
}

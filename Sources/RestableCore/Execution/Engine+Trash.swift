import Logging

/// The trash of resources with soft delete: an undelete takes a row out of it with what its
/// delete cascaded; a purge by age removes rows past their retention for good.
extension Engine {
    /// Takes a row out of the trash, with every row its delete put there through cascades (the
    /// rows joined to it by cascade relationships that carry the same mark; see
    /// ``trashedClosure(of:in:mark:in:)``), in one transaction.
    /// Refuses, changing nothing: `notFound` for no such row, `notInTrash` for a live one,
    /// `invalidReference` when a row to restore names a parent that is gone or in the trash
    /// (and not restored with it). Needs `insert` on every resource it restores rows of.
    func unobservedUndelete(_ request: UndeleteRequest) async throws(RestableError) -> ChangeOutcome {
        let resource = try schema.require(request.resource)
        // Permission first: a caller without it learns nothing of the resource's trash.
        try authorization.require(.insert, on: resource)
        guard let softDelete = resource.softDelete else {
            throw RestableError(
                .invalidQuery, "\(resource.name) keeps no trash (it has no softDelete), so nothing of it can be undeleted", resource: resource.name)
        }
        try planner.requireWritable(resource, "undeleted")
        let key = try planner.key(request.key, of: resource)
        let limit = request.summaryLimit ?? summaryLimit
        let options = DeleteOptions(dryRun: request.dryRun)
        let recorder = journalRecorder(dryRun: request.dryRun)
        let outcome = try await run(write: true) { session in
            guard let row = try await session.select(resource.stored, where: self.visible(.key(key, of: resource), of: resource)).first else {
                throw Self.notFound(resource, key)
            }
            guard resource.isTrashed(row) else { throw Self.notInTrash(resource, key, "undeleted") }
            let restoring = try await self.trashedClosure(of: row, in: resource, mark: row[softDelete.column], in: session)
            try await self.checkParents(of: restoring, in: session)
            var log = ChangeLog(limit: limit)
            for (name, _) in restoring {
                let member = try self.schema.require(name)
                try self.authorization.require(.insert, on: member)
                try self.planner.requireWritable(member, "undeleted")
            }
            for (name, rows) in restoring {
                let member = try self.schema.require(name)
                try await self.untrash(rows, of: member, recorder: recorder, in: session)
                log.record(.insert, rows, of: member)
            }
            var outcome = try Self.committable(log.outcome(succeeded: 1, failures: [], options: options), options)
            try await self.finishJournal(recorder, &outcome, action: "undelete", resource: resource.name, in: session)
            return outcome
        }
        if !request.dryRun { logChange("undelete", of: resource, counts: outcome.counts) }
        return outcome
    }

    /// What one delete put in the trash with `row`: the rows below it by cascade relationships
    /// that carry `mark`, and, for those rows (not `row` itself), their other cascade parents
    /// with the mark (a target of the same delete whose cascade reached the same row) with what
    /// is below and above them in turn; by resource, in the order found.
    private func trashedClosure(of row: Row, in resource: Resource, mark: Value, in session: any StoreSession) async throws -> [(String, [Row])] {
        var closure: [(String, [Row])] = [(resource.name, [row])]
        var seen: [String: KeySet] = [:]
        seen[resource.name, default: KeySet()].insert(row.key(in: resource))
        var total = 1
        var frontier: [String: [Row]] = [resource.name: [row]]
        /// Adds the rows not seen yet; returns them.
        func take(_ rows: [Row], of member: Resource) throws(RestableError) -> [Row] {
            var found: [Row] = []
            for candidate in rows where seen[member.name, default: KeySet()].insert(candidate.key(in: member)) { found.append(candidate) }
            total += found.count
            guard total <= Self.maximumPlanRows else { throw Self.planTooLarge(Self.maximumPlanRows) }
            if !found.isEmpty { closure.append((member.name, found)) }
            return found
        }
        var first = true
        while !frontier.isEmpty {
            try Task.checkCancellation()
            var next: [String: [Row]] = [:]
            for (name, rows) in frontier.sorted(by: { $0.key < $1.key }) {
                let member = try schema.require(name)
                let keys = CompactKeys(rows.map { $0.key(in: member) })
                for relationship in schema.dependents(of: name) where relationship.onDelete == .cascade {
                    let child = try schema.require(relationship.child)
                    guard let childMark = child.softDelete?.column else { continue }
                    for chunk in keys.chunks(of: Self.chunkSize) {
                        let predicate = RowPredicate([.tupleIn(columns: relationship.columns, keys.values(chunk)), .compare(column: childMark, .eq, mark)])
                        next[child.name, default: []] += try take(try await session.select(child.stored, where: predicate), of: child)
                    }
                }
                // Not from the row asked for: a parent of its own in the trash refuses the undelete.
                for relationship in schema.references(of: name) where !first && relationship.onDelete == .cascade {
                    let parent = try schema.require(relationship.parent)
                    guard let parentMark = parent.softDelete?.column, parent.key.count == relationship.columns.count else { continue }
                    let named = rows.map { $0.values(of: relationship.columns) }.filter { !$0.contains(where: \.isNull) }
                    let parentKeys = CompactKeys(named.map(Key.init))
                    for chunk in parentKeys.chunks(of: Self.chunkSize) {
                        let predicate = RowPredicate([.tupleIn(columns: parent.key, parentKeys.values(chunk)), .compare(column: parentMark, .eq, mark)])
                        next[parent.name, default: []] += try take(try await session.select(parent.stored, where: predicate), of: parent)
                    }
                }
            }
            frontier = next.filter { !$0.value.isEmpty }
            first = false
        }
        return closure
    }

    /// Refuses (`invalidReference`) an undelete that would put back a row naming a parent that
    /// is neither live nor put back with it.
    private func checkParents(of restoring: [(String, [Row])], in session: any StoreSession) async throws {
        var restored = RestoredRows()
        for (name, rows) in restoring {
            let resource = try schema.require(name)
            for row in rows { restored.live[name, default: KeySet()].insert(row.key(in: resource)) }
        }
        for (name, rows) in restoring {
            let resource = try schema.require(name)
            let missing = try await missingParents(
                of: rows, in: resource, through: schema.references(of: name), restored: restored, needsLive: { _, _ in true }, in: session)
            guard let first = missing.first else { continue }
            let why = first.inTrash ? "which is in the trash: undelete it first" : "which is gone"
            throw RestableError(
                .invalidReference,
                "\(resource.name) \(first.child) cannot be undeleted: it names \(first.parent.name) \(first.key), \(why); nothing was changed",
                resource: resource.name, key: first.child)
        }
    }

    /// Takes rows of `resource` out of the trash (an undelete, or the undo of a delete that put
    /// them there); rows the caller's insert policies do not allow refuse it all (`forbidden`).
    func untrash(_ rows: [Row], of resource: Resource, recorder: JournalRecorder?, in session: any StoreSession) async throws {
        guard let softDelete = resource.softDelete, let trashed = resource.trashed, !rows.isEmpty else { return }
        let keys = rows.map { $0.key(in: resource) }
        let compact = CompactKeys(keys)
        for chunk in compact.chunks(of: Self.chunkSize) {
            try Task.checkCancellation()
            let predicate = RowPredicate([.tupleIn(columns: resource.key, compact.values(chunk)), trashed])
            _ = try await session.update(resource.stored, where: predicate, set: [softDelete.column: .null])
        }
        if let filter = authorization.rows(.insert, of: resource), let key = keys.first,
            try await count(keys, of: resource, meeting: filter, in: session) != keys.count
        {
            throw forbiddenRow(resource, key, "restore", filter)
        }
        try await recorder?.record(.untrash, rows, of: resource, in: session)
    }

    /// Removes for good every row that has been in the trash longer than its resource's
    /// retention (or than `olderThan` when given), with every rule of a delete, in one
    /// transaction: parents first, so a row that a purged parent's cascade reaches is counted
    /// there (its own retention, if longer, does not keep it); lenient (a row that a row which
    /// stays still restricts stays too, and is counted), taken again up to
    /// ``trashPurgePasses`` times while that frees rows. Journaled as one `purge` transaction.
    /// Acts as the server itself, whatever the roles.
    public func purgeTrash(olderThan: RetentionPeriod? = nil, dryRun: Bool = false) async throws(RestableError) -> TrashPurgeReport {
        let now = clock()
        var engine = self.acting(as: .unrestricted, requestID: requestID)
        engine.requestTimeout = nil
        var targets: [(Resource, RowPredicate)] = []
        for resource in schema.parentsFirst {
            guard let softDelete = resource.softDelete, resource.readOnly == nil else { continue }
            let bound = now - (olderThan ?? trashRetention(of: resource, softDelete)).milliseconds
            guard let cutoff = Timestamp.format(bound * 1000) else { continue }
            targets.append((resource, RowPredicate([.compare(column: softDelete.column, .lt, .text(cutoff))])))
        }
        guard !targets.isEmpty else { return TrashPurgeReport(dryRun: dryRun) }
        let options = DeleteOptions(handling: .lenient, dryRun: dryRun, summaryLimit: 0, purge: true)
        let journal = engine.journalRecorder(dryRun: dryRun)
        let (purger, expired) = (engine, targets)
        let report = try await purger.run(write: true) { session in
            var report = TrashPurgeReport(dryRun: dryRun)
            var whole = ChangeOutcome(kind: .all)
            // A row kept because a row in the trash restricted it may go once that row has gone:
            // the resources are taken again, a few times, while that frees something.
            for _ in 0..<Self.trashPurgePasses {
                var purgedNow = 0
                var keptNow = 0
                for (resource, predicate) in expired {
                    let outcome: ChangeOutcome
                    do {
                        outcome = try await purger.delete(
                            .rows(predicate, .none), of: resource, options: options, mode: .hard, summaryLimit: 0, direct: false, tree: nil,
                            journal: journal, in: session)
                    } catch let signal as RollbackSignal {
                        // A dry run's outcome, or one that purged nothing: what it did stays in
                        // this transaction, which a dry run rolls back at the end.
                        guard let refused = signal.outcome as? ChangeOutcome else { throw signal }
                        outcome = refused
                    }
                    let purged = outcome.kind == .none ? 0 : outcome.succeeded
                    purgedNow += purged
                    keptNow += outcome.failureCount
                    report.add(resource.name, purged: purged, rows: outcome.kind == .none ? 0 : outcome.counts.total, kept: outcome.failureCount)
                    for name in outcome.counts.resources where outcome.kind != .none {
                        for (verb, count) in outcome.counts.verbs(of: name) { whole.counts.add(verb, name, count) }
                    }
                }
                if purgedNow == 0 || keptNow == 0 { break }
            }
            report.resources.removeAll { $0.purged == 0 && $0.kept == 0 }
            if dryRun { throw RollbackSignal(outcome: report) }
            try await purger.finishJournal(journal, &whole, action: "purge", resource: nil, in: session)
            return report
        }
        let purged = report.resources.reduce(0) { $0 + $1.purged }
        if !dryRun, purged > 0 {
            logger.notice("purged the trash", metadata: ["rows": "\(purged)", "resources": "\(report.resources.map(\.resource).joined(separator: ","))"])
        }
        return report
    }
}

extension Engine {
    /// How many times a purge of the trash goes over the resources (see ``purgeTrash(olderThan:dryRun:)``).
    static let trashPurgePasses = 3

    /// How long rows of `resource` stay in the trash: its own softDelete retention, else the
    /// journal's for the resource, else 30 days.
    func trashRetention(of resource: Resource, _ softDelete: SoftDelete) -> RetentionPeriod {
        softDelete.retention ?? journal.map { $0.retentionByResource[resource.name] ?? $0.retention } ?? .standard
    }
}

/// Take a row out of the trash, with what its delete cascaded.
public struct UndeleteRequest: Sendable {
    public var resource: String
    public var key: KeyInput
    /// Checks and applies the undelete, reports it, and rolls it back.
    public var dryRun: Bool
    /// How many rows the summary lists (nil: the engine's limit).
    public var summaryLimit: Int?

    public init(resource: String, key: KeyInput, dryRun: Bool = false, summaryLimit: Int? = nil) {
        self.resource = resource
        self.key = key
        self.dryRun = dryRun
        self.summaryLimit = summaryLimit
    }
}

/// What a purge of the trash removed (or in a dry run would remove), by resource.
public struct TrashPurgeReport: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var resource: String
        /// Rows past their retention that went.
        public var purged: Int
        /// Every row that went or was detached with them (cascades and set-nulls counted).
        public var rows: Int
        /// Rows past their retention that stay, because a row that stays (live, or in the
        /// trash but not past its own retention) still restricts them.
        public var kept: Int
    }

    public var resources: [Entry] = []
    public var dryRun: Bool

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    /// Counts one pass over a resource: what went adds up, what stays is the latest pass's.
    mutating func add(_ resource: String, purged: Int, rows: Int, kept: Int) {
        if let index = resources.firstIndex(where: { $0.resource == resource }) {
            resources[index].purged += purged
            resources[index].rows += rows
            resources[index].kept = kept
        } else {
            resources.append(Entry(resource: resource, purged: purged, rows: rows, kept: kept))
        }
    }
}

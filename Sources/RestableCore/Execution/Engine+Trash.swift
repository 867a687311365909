import Logging

/// The trash of resources with soft delete: an undelete takes a row out of it with what its
/// delete cascaded; a purge by age removes rows past their retention for good.
extension Engine {
    /// Takes a row out of the trash, with every row its delete put there through cascades (the
    /// rows below it, by cascade relationships, that carry the same mark), in one transaction.
    /// Refuses, changing nothing: `notFound` for no such row, `notInTrash` for a live one,
    /// `invalidReference` when a row to restore names a parent that is gone or in the trash
    /// (and not restored with it). Needs `insert` on every resource it restores rows of.
    public func undelete(_ request: UndeleteRequest) async throws(RestableError) -> ChangeOutcome {
        let resource = try schema.require(request.resource)
        guard let softDelete = resource.softDelete else {
            throw RestableError(
                .invalidQuery, "\(resource.name) keeps no trash (it has no softDelete), so nothing of it can be undeleted", resource: resource.name)
        }
        try authorization.require(.insert, on: resource)
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
            for (name, rows) in restoring {
                let member = try self.schema.require(name)
                try self.authorization.require(.insert, on: member)
                try await self.untrash(rows, of: member, recorder: recorder, in: session)
                log.record(.insert, rows, of: member)
            }
            var outcome = try Self.committable(log.outcome(succeeded: 1, failures: [], options: options), options)
            try await self.finishJournal(recorder, &outcome, action: "undelete", resource: resource.name, in: session)
            return outcome
        }
        if !request.dryRun { logChange("undelete", of: resource, counts: outcome.counts.logged) }
        return outcome
    }

    /// `row` and the rows below it by cascade relationships that carry `mark`, by resource,
    /// parents before their children.
    private func trashedClosure(of row: Row, in resource: Resource, mark: Value, in session: any StoreSession) async throws -> [(String, [Row])] {
        var closure: [(String, [Row])] = [(resource.name, [row])]
        var seen: [String: KeySet] = [:]
        seen[resource.name, default: KeySet()].insert(row.key(in: resource))
        var frontier: [String: [Key]] = [resource.name: [row.key(in: resource)]]
        while !frontier.isEmpty {
            try Task.checkCancellation()
            var next: [String: [Key]] = [:]
            for (parentName, keys) in frontier.sorted(by: { $0.key < $1.key }) {
                for relationship in schema.dependents(of: parentName) where relationship.onDelete == .cascade {
                    let child = try schema.require(relationship.child)
                    guard let childMark = child.softDelete?.column else { continue }
                    let compact = CompactKeys(keys)
                    for chunk in compact.chunks(of: Self.chunkSize) {
                        let predicate = RowPredicate([.tupleIn(columns: relationship.columns, compact.values(chunk)), .compare(column: childMark, .eq, mark)])
                        var found: [Row] = []
                        for member in try await session.select(child.stored, where: predicate) {
                            let key = member.key(in: child)
                            if seen[child.name, default: KeySet()].insert(key) {
                                found.append(member)
                                next[child.name, default: []].append(key)
                            }
                        }
                        if !found.isEmpty { closure.append((child.name, found)) }
                    }
                }
            }
            frontier = next
        }
        return closure
    }

    /// Refuses (`invalidReference`) an undelete that would put back a row naming a parent that
    /// is neither live nor put back with it.
    private func checkParents(of restoring: [(String, [Row])], in session: any StoreSession) async throws {
        var restored: [String: KeySet] = [:]
        for (name, rows) in restoring {
            let resource = try schema.require(name)
            for row in rows { restored[name, default: KeySet()].insert(row.key(in: resource)) }
        }
        for (name, rows) in restoring {
            let resource = try schema.require(name)
            for relationship in schema.references(of: name) {
                guard let parent = schema.resource(named: relationship.parent), parent.key.count == relationship.columns.count else { continue }
                for row in rows {
                    let values = row.values(of: relationship.columns)
                    guard !values.contains(where: \.isNull) else { continue }
                    let parentKey = Key(values)
                    if restored[parent.name]?.contains(parentKey) == true { continue }
                    let found = try await session.select(parent.stored, where: .key(parentKey, of: parent)).first
                    if let found, !parent.isTrashed(found) { continue }
                    let why = found == nil ? "which is gone" : "which is in the trash: undelete it first"
                    throw RestableError(
                        .invalidReference,
                        "\(resource.name) \(row.key(in: resource)) cannot be undeleted: it names \(parent.name) \(parentKey), \(why); nothing was changed",
                        resource: resource.name, key: row.key(in: resource))
                }
            }
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
    /// there; lenient (a row a live row still restricts stays, and is counted). Journaled as
    /// one `purge` transaction. Acts as the server itself, whatever the roles.
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
            for (resource, predicate) in expired {
                let outcome: ChangeOutcome
                do {
                    outcome = try await purger.delete(
                        .rows(predicate, .none), of: resource, options: options, mode: .hard, summaryLimit: 0, direct: false, tree: nil,
                        journal: journal, in: session)
                } catch let signal as RollbackSignal {
                    // A dry run's outcome, or one that purged nothing: what it did stays in this
                    // transaction, which a dry run rolls back at the end.
                    guard let refused = signal.outcome as? ChangeOutcome else { throw signal }
                    outcome = refused
                }
                guard outcome.succeeded > 0 || outcome.failureCount > 0 else { continue }
                report.resources.append(
                    TrashPurgeReport.Entry(resource: resource.name, purged: outcome.succeeded, rows: outcome.counts.total, kept: outcome.failureCount))
                for name in outcome.counts.resources {
                    for (verb, count) in outcome.counts.verbs(of: name) { whole.counts.add(verb, name, count) }
                }
            }
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
        /// Rows past their retention that stay, because a live row still restricts them.
        public var kept: Int
    }

    public var resources: [Entry] = []
    public var dryRun: Bool

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }
}

/// Deleting keys of a resource that no relationship points at. Its plan (DELETE-SEMANTICS.md
/// §1) is its targets: no cascade, set-null or restrict reaches past them, so nothing around
/// them can refuse one. Each chunk of targets is therefore checked and deleted by one statement
/// (`DELETE ... RETURNING`), where the planned path reads the chunk, plans it and deletes it.
/// A target whose precondition needs its row (a checksum, or required locking) is read and
/// checked first, as ``TargetGathering`` checks it. The outcome is the planned path's: the same
/// failures at the same positions, the same summary, counts and refusals.
extension Engine {
    /// True when a delete of `resource` by keys may go straight to the database: no relationship
    /// names it as the parent, no delete policy of the caller limits its rows, and its key is of
    /// integers, which the database matches exactly as the engine compares them. (A text key
    /// may match through a collation, `COLLATE NOCASE` say, a row whose key the engine holds
    /// different: counting the rows that went could not tell, so such keys are planned.) A
    /// resource with soft delete is always planned: its delete marks rows.
    func deletesDirectly(_ resource: Resource) -> Bool {
        resource.softDelete == nil && schema.dependents(of: resource.name).isEmpty && authorization.rows(.delete, of: resource) == nil
            && !resource.key.isEmpty
            && resource.key.allSatisfy { name in resource.column(named: name).map { $0.type == .integer && !$0.readAsText } ?? false }
    }

    /// Deletes the keys `source` names, a chunk at a time, in the caller's transaction.
    func deleteDirectly(
        _ source: any TargetSource, of resource: Resource, options: DeleteOptions, summaryLimit: Int, journal: JournalRecorder?,
        in session: any StoreSession
    ) async throws -> ChangeOutcome {
        let journaled = journal?.keepsRows(of: resource) == true
        var source = source
        var failures = FailureList(limit: self.summaryLimit)
        var seen = KeySet()
        var position = 0
        var named = 0
        var deleted = 0
        var leading = LeadingRows(limit: max(0, summaryLimit), resource: resource)
        let identity = resource.identity.compactMap(resource.column(named:))
        /// Lists the targets that are not among `rows` (those that went) as missing.
        func missing(_ targets: [(key: Key, index: Int)], besides rows: [Row]) {
            var gone = KeySet()
            for row in rows { gone.insert(row.key(in: resource)) }
            for (key, index) in targets where !gone.contains(key) {
                failures.add(TargetFailure(key: key, index: index, error: Self.notFound(resource, key)))
            }
        }
        while true {
            try Task.checkCancellation()
            let batch = try source.next(upTo: min(Engine.chunkSize, maximumKeys - named + 1))
            if batch.isEmpty { break }
            named += batch.count
            guard named <= maximumKeys else { throw Engine.tooManyKeys(maximumKeys) }
            var targets: [(key: Key, index: Int)] = []
            var checked: [(key: Key, precondition: Precondition, index: Int)] = []
            targets.reserveCapacity(batch.count)
            for target in batch {
                let key = try planner.key(target.key, of: resource)
                if seen.insert(key) {
                    if Self.needsRow(target.precondition, in: resource) {
                        checked.append((key, target.precondition, position))
                    } else {
                        targets.append((key, position))
                    }
                }
                position += 1
            }
            if !checked.isEmpty {
                var found = KeyMap<Row>()
                let predicate = visible(.columns(resource.key, in: checked.map(\.key.values)), of: resource)
                for row in try await session.select(resource, where: predicate) { found[row.key(in: resource)] = row }
                for (key, precondition, index) in checked {
                    guard let row = found[key] else {
                        if !options.ignoreMissing { failures.add(TargetFailure(key: key, index: index, error: Self.notFound(resource, key))) }
                        continue
                    }
                    do {
                        try precondition.check(row, in: resource)
                        targets.append((key, index))
                    } catch {
                        failures.add(TargetFailure(key: key, index: index, error: error))
                    }
                }
            }
            guard !targets.isEmpty else { continue }
            let predicate = visible(Self.keyed(targets.map(\.key), of: resource), of: resource)
            if let journal, journaled, journal.capture == nil, summaryLimit == 0 {
                // Rows only journaled, not shown: the store writes their journal text as it reads them.
                let rows = try await session.deleteJournaling(resource, where: predicate, columns: resource.stored.columns)
                deleted += rows.count
                if rows.count < targets.count, !options.ignoreMissing {
                    missing(targets, besides: try Self.journaledRows(rows.text, of: resource))
                }
                try await journal.record(.delete, encoded: rows, of: resource, in: session)
            } else if summaryLimit > 0 || journaled {
                let rows = try await session.delete(resource, where: predicate, returning: resource.columns)
                deleted += rows.count
                if rows.count < targets.count, !options.ignoreMissing { missing(targets, besides: rows) }
                leading.add(rows)
                if let journal, journaled { try await journal.record(.delete, rows, of: resource, in: session) }
            } else if options.ignoreMissing || targets.count == 1 {
                let count = try await session.delete(resource, where: predicate)
                deleted += count
                if count == 0, !options.ignoreMissing { missing(targets, besides: []) }
            } else {
                // Counting is enough when every target or none was there; between the two, the
                // chunk is undone and deleted again, naming the rows that went.
                do {
                    let count = try await session.savepoint {
                        let count = try await session.delete(resource, where: predicate)
                        if count != 0, count != targets.count { throw PartialChunk() }
                        return count
                    }
                    deleted += count
                    if count == 0 { missing(targets, besides: []) }
                } catch is PartialChunk {
                    let rows = try await session.delete(resource, where: predicate, returning: identity)
                    deleted += rows.count
                    missing(targets, besides: rows)
                }
            }
        }
        guard deleted > 0, options.handling == .lenient || failures.isEmpty else {
            return try Self.committable(ChangeOutcome(failures: failures, kind: failures.isEmpty ? .all : .none, dryRun: options.dryRun), options)
        }
        try checkRequestBudget(deleted, deleting: resource)
        if let max = options.maxAffected, deleted > max { throw Self.tooManyAffected(deleted, max, resource) }
        if !options.dryRun { try await chargeHourlyBudget(deleted, deleting: resource, in: session) }
        var counts = ChangeCounts()
        counts.add(.delete, resource.name, deleted)
        let changes = leading.rows.map { Change(resource: resource, verb: .delete, row: $0) }
        let outcome = ChangeOutcome(
            changes: changes, truncated: deleted > changes.count, counts: counts, succeeded: deleted, failures: failures,
            kind: failures.isEmpty ? .all : .partial, dryRun: options.dryRun)
        return try Self.committable(outcome, options)
    }

    /// The rows of a journal text that a delete of `resource` wrote.
    static func journaledRows(_ text: String, of resource: Resource) throws(RestableError) -> [Row] {
        let names = resource.stored.columns.map(\.name)
        do {
            return try JournalCodec.decode(text).map { Row(Dictionary(uniqueKeysWithValues: zip(names, $0))) }
        } catch {
            throw RestableError(.internalError, "the store wrote a journal text that does not read back")
        }
    }

    /// The rows of `resource` with one of `keys`: `key IN (...)` for a key of one column.
    static func keyed(_ keys: [Key], of resource: Resource) -> RowPredicate {
        if resource.key.count == 1 { return RowPredicate([.oneOf(column: resource.key[0], keys.map { $0.values[0] })]) }
        return .columns(resource.key, in: keys.map(\.values))
    }

    /// True when checking `precondition` needs the row as it is (a checksum to compare, or
    /// required locking to refuse a target without one); false when it passes whatever the row.
    static func needsRow(_ precondition: Precondition, in resource: Resource) -> Bool {
        switch (precondition, resource.optimisticLocking) {
        case (_, .off), (.override, _), (.none, .optional): false
        case (.none, .required), (.checksum, _): true
        }
    }
}

/// Thrown inside a chunk's savepoint when only some of its targets were there: the chunk is
/// undone and deleted again with the keys of the rows that go.
private struct PartialChunk: Error {}

/// The first rows of a summary in key order, from rows that come in any order: at most
/// `2 * limit` are kept at a time, whatever the number of rows.
struct LeadingRows {
    let limit: Int
    let resource: Resource
    private var kept: [(key: Key, row: Row)] = []

    init(limit: Int, resource: Resource) {
        self.limit = limit
        self.resource = resource
    }

    mutating func add(_ rows: [Row]) {
        guard limit > 0 else { return }
        for row in rows {
            kept.append((row.key(in: resource), row))
            if kept.count >= 2 * limit { trim() }
        }
    }

    private mutating func trim() {
        kept.sort { Key.precedes($0.key, $1.key) }
        if kept.count > limit { kept.removeSubrange(limit...) }
    }

    /// The first `limit` rows, in key order.
    var rows: [Row] {
        var copy = self
        copy.trim()
        return copy.kept.map(\.row)
    }
}

/// The first step of a many-row delete: read the targets (a chunk at a time), find which rows
/// exist, and check each target on its own (missing, checksum, required lock). What passes is
/// `ready` for planning; what fails is listed with its position in the request.
struct TargetGathering {
    enum Selection {
        case keys(any TargetSource)
        case rows(RowPredicate, Precondition)
    }

    let engine: Engine
    let resource: Resource
    let options: DeleteOptions
    private(set) var failures: FailureList
    /// Targets that exist and passed their own checks, each once, with its position in the request.
    private(set) var ready = KeyMap<Int>()
    /// The rows of the first ready targets as read (at most `DeletePlan.rememberedRowLimit`), for the summary.
    private(set) var readyRows = KeyMap<Row>()
    /// Every target seen.
    private var seen = KeySet()
    private var position = 0
    /// The rows the caller's delete policies allow (nil: every row it can see).
    private let deleteFilter: Authorization.RowFilter?

    init(engine: Engine, resource: Resource, options: DeleteOptions, failureLimit: Int) {
        self.engine = engine
        self.resource = resource
        self.options = options
        self.failures = FailureList(limit: failureLimit)
        // A purge is its own permission, which row policies do not name.
        self.deleteFilter = options.purge ? nil : engine.authorization.rows(.delete, of: resource)
    }

    mutating func gather(_ selection: Selection, in session: any StoreSession) async throws {
        switch selection {
        case .keys(var source):
            var named = 0
            while true {
                try Task.checkCancellation()
                let batch = try source.next(upTo: min(Engine.chunkSize, engine.maximumKeys - named + 1))
                if batch.isEmpty { break }
                named += batch.count
                guard named <= engine.maximumKeys else { throw Engine.tooManyKeys(engine.maximumKeys) }
                try await gatherKeyed(batch, in: session)
            }
        case .rows(let predicate, let precondition):
            var after: [Value]?
            while true {
                try Task.checkCancellation()
                var page = predicate
                if let after { page.conditions.append(.after(columns: resource.key, after)) }
                let rows = try await session.select(resource, where: page, limit: Engine.chunkSize, offset: nil)
                guard let last = rows.last else { break }
                after = last.values(of: resource.key)
                let deletable = try await deletableKeys(rows.map { $0.key(in: resource) }, in: session)
                for row in rows {
                    check(row, row.key(in: resource), precondition, deletable: deletable, at: position)
                    position += 1
                }
                if rows.count < Engine.chunkSize { break }
            }
        }
    }

    /// Resolves a chunk of keys, finds which rows exist, and checks each.
    private mutating func gatherKeyed(_ batch: [KeyedTarget], in session: any StoreSession) async throws {
        var targets: [(Key, Precondition, Int)] = []
        for target in batch {
            let key = try engine.planner.key(target.key, of: resource)
            if seen.insert(key) { targets.append((key, target.precondition, position)) }
            position += 1
        }
        guard !targets.isEmpty else { return }
        var found = KeyMap<Row>()
        let visible = engine.visible(.columns(resource.key, in: targets.map { $0.0.values }), of: resource)
        // With the trash column, for a resource that keeps a trash.
        for row in try await session.select(resource.stored, where: visible) {
            found[row.key(in: resource)] = row
        }
        let deletable = try await deletableKeys(found.entries.map(\.0), in: session)
        for (key, precondition, index) in targets {
            if let row = found[key], resource.isTrashed(row) == options.purge {
                check(row, key, precondition, deletable: deletable, at: index)
            } else if let row = found[key], !resource.isTrashed(row) {
                failures.add(TargetFailure(key: key, index: index, error: Engine.notInTrash(resource, key, "purged")))
            } else if !options.ignoreMissing {
                let error = found[key] == nil ? Engine.notFound(resource, key) : Engine.inTrash(resource, key)
                failures.add(TargetFailure(key: key, index: index, error: error))
            }
        }
    }

    /// Of rows the caller can see, those its delete policies allow (nil: all of them).
    private func deletableKeys(_ keys: [Key], in session: any StoreSession) async throws -> KeySet? {
        guard let filter = deleteFilter, !keys.isEmpty else { return nil }
        var allowed = KeySet()
        let predicate = RowPredicate([.tupleIn(columns: resource.key, keys.map(\.values)), filter.condition])
        for row in try await session.select(resource, where: predicate) { allowed.insert(row.key(in: resource)) }
        return allowed
    }

    private mutating func check(_ row: Row, _ key: Key, _ precondition: Precondition, deletable: KeySet?, at index: Int) {
        if let deletable, !deletable.contains(key), let filter = deleteFilter {
            failures.add(TargetFailure(key: key, index: index, error: engine.forbiddenRow(resource, key, "delete", filter)))
            return
        }
        do {
            try precondition.check(row, in: resource)
            ready[key] = index
            if readyRows.count < DeletePlan.rememberedRowLimit { readyRows[key] = row }
        } catch {
            failures.add(TargetFailure(key: key, index: index, error: error))
        }
    }
}

/// The failures of a request: every failed key and the total are kept; the list itself keeps
/// the first `limit` by position, so that a million failing keys cost little memory.
struct FailureList: Sendable {
    let limit: Int
    private(set) var kept: [TargetFailure] = []
    private(set) var count = 0
    private(set) var keys = KeySet()
    /// True while every failure is a missing row.
    private(set) var everyOneMissing = true

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var isEmpty: Bool { count == 0 }

    mutating func add(_ failure: TargetFailure) {
        count += 1
        if failure.error.code != .notFound { everyOneMissing = false }
        if let key = failure.key { keys.insert(key) }
        kept.append(failure)
        if kept.count >= 2 * limit { trim() }
    }

    private mutating func trim() {
        kept.sort { ($0.index ?? Int.max) < ($1.index ?? Int.max) }
        if kept.count > limit { kept.removeSubrange(limit...) }
    }

    /// The kept failures in request order.
    var sorted: [TargetFailure] {
        var copy = self
        copy.trim()
        return copy.kept
    }
}

/// One many-row delete inside its transaction: targets are fetched, checked and deleted a
/// chunk at a time with set-based statements. A chunk in which anything fails is retried one
/// target at a time, each in its own savepoint, so that every failure is found and named and,
/// in lenient mode, every other target still goes.
struct BulkDelete {
    enum Selection {
        case keys(any TargetSource)
        case rows(RowPredicate, Precondition)
    }

    let engine: Engine
    let resource: Resource
    let options: DeleteOptions
    let session: any StoreSession
    var log: ChangeLog
    private(set) var failures: [TargetFailure] = []
    private(set) var deleted = 0
    /// Targets this request deleted or failed, so that a repeated key is handled once.
    private var handled = KeySet()
    /// The position in the request of each target of the current chunk, for ordering failures.
    private var positions: [Key: Int] = [:]
    /// How many targets have been read so far.
    private var position = 0

    init(engine: Engine, resource: Resource, options: DeleteOptions, session: any StoreSession, log: ChangeLog) {
        self.engine = engine
        self.resource = resource
        self.options = options
        self.session = session
        self.log = log
    }

    var outcome: ChangeOutcome {
        log.outcome(succeeded: deleted, failures: failures.sorted { ($0.index ?? 0) < ($1.index ?? 0) }, options: options)
    }

    mutating func execute(_ selection: Selection) async throws {
        switch selection {
        case .keys(var source):
            while true {
                let batch = try source.next(upTo: Engine.chunkSize)
                if batch.isEmpty { break }
                try await deleteKeyed(batch)
            }
            if let max = options.maxAffected, deleted > max { throw tooMany(deleted) }
        case .rows(let predicate, let precondition):
            if let max = options.maxAffected {
                let count = try await session.count(resource, where: predicate)
                if count > max { throw tooMany(count) }
            }
            var after: [Value]?
            while true {
                var page = predicate
                if let after { page.conditions.append(.after(columns: resource.key, after)) }
                let rows = try await session.select(resource, where: page, limit: Engine.chunkSize, offset: nil)
                guard let last = rows.last else { break }
                after = last.values(of: resource.key)
                positions = [:]
                for row in rows {
                    positions[row.key(in: resource)] = position
                    position += 1
                }
                try await deleteRows(rows.map { ($0, precondition) })
                if rows.count < Engine.chunkSize { break }
            }
        }
    }

    private func tooMany(_ count: Int) -> RestableError {
        RestableError(
            .tooManyAffected,
            "this delete would remove \(count) \(resource.name) rows, more than the \(options.maxAffected ?? 0) allowed; nothing was deleted",
            resource: resource.name, count: count)
    }

    /// Resolves a chunk of keys, finds which rows exist, and deletes them.
    private mutating func deleteKeyed(_ batch: [KeyedTarget]) async throws {
        var targets: [(Key, Precondition)] = []
        positions = [:]
        for target in batch {
            let key = try engine.planner.key(target.key, of: resource)
            if !handled.contains(key), positions[key] == nil {
                positions[key] = position
                targets.append((key, target.precondition))
            }
            position += 1
        }
        guard !targets.isEmpty else { return }
        let rows = try await session.select(resource, where: .columns(resource.key, in: targets.map { $0.0.values }))
        var byKey: [Key: Row] = [:]
        for row in rows { byKey[row.key(in: resource)] = row }
        var present: [(Row, Precondition)] = []
        for (key, precondition) in targets {
            if let row = byKey[key] {
                present.append((row, precondition))
            } else if !options.ignoreMissing {
                fail(key, Engine.notFound(resource, key))
            } else {
                handled.insert(key)
            }
        }
        try await deleteRows(present)
    }

    /// Checks each row's precondition, then deletes the rest set-based; if that fails, one by one.
    private mutating func deleteRows(_ targets: [(Row, Precondition)]) async throws {
        var ready: [Row] = []
        for (row, precondition) in targets {
            do {
                try precondition.check(row, in: resource)
                ready.append(row)
            } catch {
                fail(row.key(in: resource), error)
            }
        }
        guard !ready.isEmpty else { return }
        let mark = log.checkpoint
        do {
            try await removeInSavepoint(ready, target: ready.count == 1 ? ready[0].key(in: resource) : nil)
            return
        } catch let error as RestableError where error.isTargetFailure {
            log.restore(mark)
            if ready.count == 1 {
                fail(ready[0].key(in: resource), error)
                return
            }
        }
        for row in ready {
            let key = row.key(in: resource)
            let mark = log.checkpoint
            do {
                try await removeInSavepoint([row], target: key)
            } catch let error as RestableError where error.isTargetFailure {
                log.restore(mark)
                fail(key, error)
            }
        }
    }

    private mutating func removeInSavepoint(_ rows: [Row], target: Key?) async throws {
        let engine = engine
        let resource = resource
        let session = session
        var log = log
        var visited = [resource.name: Set(rows.map { $0.key(in: resource) })]
        try await session.savepoint {
            try await engine.remove(rows, of: resource, target: (resource, target), in: session, log: &log, visited: &visited)
        }
        self.log = log
        deleted += rows.count
        for row in rows { handled.insert(row.key(in: resource)) }
    }

    private mutating func fail(_ key: Key, _ error: RestableError) {
        handled.insert(key)
        failures.append(TargetFailure(key: key, index: positions[key], error: error))
    }
}

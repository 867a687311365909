/// The rules of a delete (DESIGN.md): for each target row, its checksum, then its dependents.
extension Engine {
    /// How many blocking keys a `restricted` error lists per relationship.
    static let blockingKeysShown = 5
    /// How many targets are fetched, checked and deleted per round of set-based statements.
    static let chunkSize = 5_000

    /// Deletes one row and follows its relationships, all in one transaction.
    ///
    /// Fails with `notFound` (unless `ignoreMissing`), `checksumMismatch`, `checksumRequired` or
    /// `restricted`; in every failure nothing changes.
    public func delete(_ request: DeleteRequest) async throws(RestableError) -> ChangeOutcome {
        let outcome = try await deleteMany(
            BulkDeleteRequest(
                resource: request.resource, selection: .keys(KeyList([KeyedTarget(key: request.key, precondition: request.precondition)])),
                options: DeleteOptions(
                    ignoreMissing: request.ignoreMissing, handling: .strict, dryRun: request.dryRun, summaryLimit: request.summaryLimit)))
        if let failure = outcome.failures.first { throw failure.error }
        return outcome
    }

    /// Deletes many rows of one resource in one transaction (see ``BulkDeleteRequest``).
    ///
    /// Throws only for the request as a whole (unknown resource, malformed key or filter,
    /// `unboundedDelete`, `tooManyAffected`); the failures of single targets are in the outcome,
    /// whose kind says whether all, some or none went. Strict failures, `none` outcomes and dry
    /// runs are rolled back.
    public func deleteMany(_ request: BulkDeleteRequest) async throws(RestableError) -> ChangeOutcome {
        let resource = try schema.require(request.resource)
        let options = request.options
        if let max = options.maxAffected, max < 0 {
            throw RestableError(.invalidQuery, "max-affected must be zero or more, got \(max)")
        }
        let selection: BulkDelete.Selection
        switch request.selection {
        case .keys(let source):
            selection = .keys(source)
        case .filter(let filters, let precondition):
            guard !filters.isEmpty else {
                throw RestableError(
                    .unboundedDelete, "a delete of \(resource.name) needs keys or a filter, or must say it means every row",
                    resource: resource.name)
            }
            selection = .rows(try planner.predicate(filters, of: resource), precondition)
        case .everyRow(let precondition):
            selection = .rows(RowPredicate(), precondition)
        }
        let limit = options.summaryLimit ?? summaryLimit
        return try await run(write: true) { session in
            var delete = BulkDelete(engine: self, resource: resource, options: options, session: session, log: ChangeLog(limit: limit))
            try await delete.execute(selection)
            return try Self.committable(delete.outcome, options)
        }
    }

    /// Deletes `rows` after following every relationship in which `resource` is the parent:
    /// restrict first (nothing changes if anything blocks), then set-null, then cascade,
    /// recursively, with set-based statements at each level.
    ///
    /// `target` is the row the client asked to delete, named in a `restricted` error even when
    /// the blocked rows are cascaded descendants of it.
    func remove(
        _ rows: [Row], of resource: Resource, target: (resource: Resource, key: Key?), in session: any StoreSession,
        log: inout ChangeLog, visited: inout [String: Set<Key>]
    ) async throws {
        guard !rows.isEmpty else { return }
        log.record(.delete, rows, of: resource)
        let parentKeys = rows.map { $0.values(of: resource.key) }
        let dependents = schema.dependents(of: resource.name)

        var blockers: [BlockingDependents] = []
        for relationship in dependents where relationship.onDelete == .restrict {
            let child = try schema.require(relationship.child)
            let children = RowPredicate.columns(relationship.columns, in: parentKeys)
            let count = try await session.count(child, where: children)
            guard count > 0 else { continue }
            let first = try await session.select(child, where: children, limit: Self.blockingKeysShown, offset: nil)
            blockers.append(
                BlockingDependents(
                    resource: child.name, columns: relationship.columns, count: count, keys: first.map { $0.key(in: child) }))
        }
        if !blockers.isEmpty {
            throw Self.restricted(rows, of: resource, target: target, by: blockers)
        }

        for relationship in dependents where relationship.onDelete == .setNull {
            let child = try schema.require(relationship.child)
            let children = try await session.select(child, where: .columns(relationship.columns, in: parentKeys))
                .filter { visited[child.name]?.contains($0.key(in: child)) != true }
            guard !children.isEmpty else { continue }
            log.record(.update, children, of: child)
            let cleared = Dictionary(uniqueKeysWithValues: relationship.columns.map { ($0, Value.null) })
            _ = try await session.update(
                child, where: .columns(child.key, in: children.map { $0.values(of: child.key) }), set: cleared)
        }

        for relationship in dependents where relationship.onDelete == .cascade {
            let child = try schema.require(relationship.child)
            var children: [Row] = []
            for row in try await session.select(child, where: .columns(relationship.columns, in: parentKeys)) {
                if visited[child.name, default: []].insert(row.key(in: child)).inserted { children.append(row) }
            }
            try await remove(children, of: child, target: target, in: session, log: &log, visited: &visited)
        }

        _ = try await session.delete(resource, where: .columns(resource.key, in: parentKeys))
    }

    static func restricted(
        _ rows: [Row], of resource: Resource, target: (resource: Resource, key: Key?), by blockers: [BlockingDependents]
    ) -> RestableError {
        let reasons = blockers.map { blocker in
            let keys = blocker.keys.map(\.description).joined(separator: "; ")
            let more = blocker.count > blocker.keys.count ? "; ..." : ""
            return "\(blocker.count) \(blocker.resource) row\(blocker.count == 1 ? "" : "s") (\(keys)\(more))"
        }.joined(separator: ", ")
        let subject = target.key.map { "\(target.resource.name) \($0) cannot be deleted" } ?? "\(rows.count) \(resource.name) rows cannot be deleted"
        let message: String
        if resource.name == target.resource.name {
            message = "\(subject): \(rows.count == 1 ? "it still has" : "they still have") dependents whose relationship is restrict: \(reasons)"
        } else {
            let reached = rows.count == 1 ? "\(resource.name) \(rows[0].key(in: resource))" : "\(rows.count) \(resource.name) rows"
            message =
                "\(subject): it cascades to \(reached), which still \(rows.count == 1 ? "has" : "have") dependents whose relationship is restrict: \(reasons)"
        }
        return RestableError(.restricted, message, resource: target.resource.name, key: target.key, blockers: blockers)
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
        case .storeBusy, .internalError, .schemaMismatch, .unboundedDelete, .tooManyAffected, .invalidQuery, .invalidBody:
            false
        default:
            true
        }
    }
}

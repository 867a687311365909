/// The rules of a delete (DESIGN.md): one target row, its checksum, then its dependents.
extension Engine {
    /// How many blocking keys a `restricted` error lists per relationship.
    static let blockingKeysShown = 5

    /// Deletes one row and follows its relationships, all in one transaction.
    ///
    /// Fails with `notFound` (unless `ignoreMissing`), `checksumMismatch`, `checksumRequired` or
    /// `restricted`; in every failure nothing changes.
    public func delete(_ request: DeleteRequest) async throws(RestableError) -> DeleteOutcome {
        let plan = try planner.plan(request)
        return try await run(write: true) { session in
            try await self.execute(plan, in: session)
        }
    }

    /// Runs a checked delete plan inside an open transaction.
    public func execute(_ plan: DeletePlan, in session: any StoreSession) async throws -> DeleteOutcome {
        let resource = plan.resource
        guard let row = try await session.select(resource, where: .key(plan.key, of: resource)).first else {
            if plan.ignoreMissing { return DeleteOutcome(changes: []) }
            throw Self.notFound(resource, plan.key)
        }
        try plan.precondition.check(row, in: resource)
        var changes: [Change] = []
        var visited: [String: Set<Key>] = [resource.name: [plan.key]]
        try await remove([row], of: resource, target: (resource, plan.key), in: session, changes: &changes, visited: &visited)
        return DeleteOutcome(changes: changes)
    }

    /// Deletes `rows` after following every relationship in which `resource` is the parent:
    /// restrict first (nothing changes if anything blocks), then set-null, then cascade, recursively.
    /// `target` is the row the client asked to delete, named in a `restricted` error even when
    /// the blocked rows are cascaded descendants of it.
    private func remove(
        _ rows: [Row], of resource: Resource, target: (resource: Resource, key: Key), in session: any StoreSession,
        changes: inout [Change], visited: inout [String: Set<Key>]
    ) async throws {
        guard !rows.isEmpty else { return }
        changes.append(contentsOf: rows.map { Change(resource: resource, verb: .delete, row: $0) })
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
            changes.append(contentsOf: children.map { Change(resource: child, verb: .update, row: $0) })
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
            try await remove(children, of: child, target: target, in: session, changes: &changes, visited: &visited)
        }

        _ = try await session.delete(resource, where: .columns(resource.key, in: parentKeys))
    }

    static func restricted(
        _ rows: [Row], of resource: Resource, target: (resource: Resource, key: Key), by blockers: [BlockingDependents]
    ) -> RestableError {
        let reasons = blockers.map { blocker in
            let keys = blocker.keys.map(\.description).joined(separator: "; ")
            let more = blocker.count > blocker.keys.count ? "; ..." : ""
            return "\(blocker.count) \(blocker.resource) row\(blocker.count == 1 ? "" : "s") (\(keys)\(more))"
        }.joined(separator: ", ")
        let subject = "\(target.resource.name) \(target.key) cannot be deleted"
        let message: String
        if resource.name == target.resource.name, rows.count == 1, rows[0].key(in: resource) == target.key {
            message = "\(subject): it still has dependents whose relationship is restrict: \(reasons)"
        } else {
            let reached = rows.count == 1 ? "\(resource.name) \(rows[0].key(in: resource))" : "\(rows.count) \(resource.name) rows"
            message = "\(subject): it cascades to \(reached), which still \(rows.count == 1 ? "has" : "have") dependents whose relationship is restrict: \(reasons)"
        }
        return RestableError(.restricted, message, resource: target.resource.name, key: target.key, blockers: blockers)
    }
}

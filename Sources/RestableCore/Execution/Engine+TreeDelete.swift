/// Applying a delete set by set when what it can reach is a tree (DELETE-SEMANTICS.md §1 and §2).
///
/// When every relationship below the addressed resource is a cascade or a set-null of an
/// optional column, each resource is reached by one relationship only, and none is read-only,
/// nothing around the targets can refuse one: no restrict can block, no set-null can clear a
/// required column, and a row is never both deleted and detached. The plan is then the targets
/// and, per relationship, every row below them; it needs no keys of its own. So the rows of each
/// resource are deleted (or detached) by one statement per chunk of targets, naming them by
/// their parents (`fk IN (SELECT key FROM parent WHERE ...)`), deepest first, rather than read
/// level by level into memory and deleted by key. The outcome is the planned path's: the same
/// counts, summary (in the same order) and refusals (checked once the counts are known, in the
/// transaction that then rolls back).
extension Engine {
    /// The resources a delete of one resource can reach, when they form a tree.
    struct ReachTree: Sendable {
        /// A resource whose rows the delete removes: the addressed one first, then each below
        /// its parent (breadth first, so that a node's parent comes before it).
        struct Node: Sendable {
            var resource: Resource
            /// The cascade relationship from the parent node (nil for the addressed resource).
            var relationship: Relationship?
            var parent: Int?
            var depth: Int
        }

        /// A resource whose rows the delete detaches through a set-null relationship.
        struct Detach: Sendable {
            var resource: Resource
            var relationship: Relationship
            var parent: Int
            var depth: Int
        }

        var nodes: [Node]
        var detaches: [Detach]
    }

    /// The tree of what a delete of `resource` can reach, or nil when the delete must be
    /// planned row by row: a restrict or a set-null of a required column below it, a resource
    /// reached twice (two relationships, a cycle), a read-only resource, a column compared as
    /// text, or a caller whose permissions or policies a reached resource must be checked against.
    func reachTree(of resource: Resource) -> ReachTree? {
        var nodes = [ReachTree.Node(resource: resource, relationship: nil, parent: nil, depth: 0)]
        var detaches: [ReachTree.Detach] = []
        var reached: Set<String> = [resource.name]
        var index = 0
        while index < nodes.count {
            let node = nodes[index]
            for relationship in schema.dependents(of: node.resource.name) {
                guard let child = schema.resource(named: relationship.child), child.readOnly == nil,
                    reached.insert(child.name).inserted, Self.comparesStoredValues(relationship, child: child, parent: node.resource)
                else { return nil }
                switch relationship.onDelete {
                case .restrict:
                    return nil
                case .cascade:
                    guard authorization.allows(.cascade, on: node.resource.name), authorization.allows(.delete, on: child.name),
                        authorization.rows(.delete, of: child) == nil
                    else { return nil }
                    nodes.append(ReachTree.Node(resource: child, relationship: relationship, parent: index, depth: node.depth + 1))
                case .setNull:
                    let required = relationship.columns.contains { child.key.contains($0) || child.column(named: $0)?.required == true }
                    guard !required, authorization.allows(.update, on: child.name), authorization.rows(.update, of: child) == nil else { return nil }
                    detaches.append(ReachTree.Detach(resource: child, relationship: relationship, parent: index, depth: node.depth + 1))
                }
            }
            index += 1
        }
        return ReachTree(nodes: nodes, detaches: detaches)
    }

    /// True when the relationship's columns and the parent's key are compared as stored (no
    /// column of a type Restable reads as text), so that `fk IN (SELECT key ...)` matches
    /// exactly the rows that the planned path's `fk IN (keys read)` matches.
    private static func comparesStoredValues(_ relationship: Relationship, child: Resource, parent: Resource) -> Bool {
        relationship.columns.count == parent.key.count
            && relationship.columns.allSatisfy { child.column(named: $0).map { !$0.readAsText } ?? false }
            && parent.key.allSatisfy { parent.column(named: $0).map { !$0.readAsText } ?? false }
    }

    /// Deletes the `ready` targets and what they reach through `tree`, then refuses the whole
    /// request (rolling it back) as the planned path would have before applying it: a plan too
    /// large, over the caller's budgets, or over max-affected.
    func deleteTree(
        _ tree: ReachTree, targets ready: KeyMap<Int>, failures: FailureList, options: DeleteOptions, summaryLimit: Int,
        journal: JournalRecorder?, in session: any StoreSession
    ) async throws -> ChangeOutcome {
        let applied = try await applyTree(tree, targets: ready, summaryLimit: summaryLimit, journal: journal, in: session)
        guard applied.deleted <= Self.maximumPlanRows else { throw Self.planTooLarge(Self.maximumPlanRows) }
        let resource = tree.nodes[0].resource
        let touched = applied.deleted + applied.detached
        try checkRequestBudget(touched, deleting: resource)
        if let max = options.maxAffected, applied.targetsDeleted > max { throw Self.tooManyAffected(applied.targetsDeleted, max, resource) }
        if !options.dryRun { try await chargeHourlyBudget(touched, deleting: resource, in: session) }
        let outcome = ChangeOutcome(
            changes: applied.changes, truncated: touched > applied.changes.count, counts: applied.counts, succeeded: ready.count,
            failures: failures, kind: failures.isEmpty ? .all : .partial, dryRun: options.dryRun)
        return try Self.committable(outcome, options)
    }

    /// What applying a tree gave: the summary, the counts, and the rows deleted and detached.
    struct TreeApplied: Sendable {
        var changes: [Change]
        var counts: ChangeCounts
        var targetsDeleted: Int
        var deleted: Int
        var detached: Int
    }

    /// Deletes the `ready` targets (rows of the tree's root that exist and passed their own
    /// checks) and everything below them, a chunk of targets at a time.
    func applyTree(
        _ tree: ReachTree, targets ready: KeyMap<Int>, summaryLimit: Int, journal: JournalRecorder?, in session: any StoreSession
    ) async throws -> TreeApplied {
        let root = tree.nodes[0].resource
        let limit = max(0, summaryLimit)
        var deleted = Array(repeating: 0, count: tree.nodes.count)
        var detached = Array(repeating: 0, count: tree.detaches.count)
        var deletedRows = tree.nodes.map { LeadingRows(limit: limit, resource: $0.resource) }
        var detachedRows = tree.detaches.map { LeadingRows(limit: limit, resource: $0.resource) }
        let keys = ready.keys
        for chunk in keys.chunks(of: max(1, Engine.chunkSize / max(1, root.key.count))) {
            try Task.checkCancellation()
            // The rows of each node below this chunk of targets, named through their parents.
            var rows = [RowPredicate.columns(root.key, in: keys.values(chunk))]
            for node in tree.nodes.dropFirst() {
                guard let relationship = node.relationship, let parent = node.parent else { continue }
                rows.append(RowPredicate([.references(columns: relationship.columns, parent: tree.nodes[parent].resource, rows[parent])]))
            }
            // Deepest first: a node's children are gone, and its parents still there to name it.
            for index in tree.nodes.indices.reversed() {
                let node = tree.nodes[index]
                for (which, detach) in tree.detaches.enumerated() where detach.parent == index {
                    let predicate = RowPredicate([.references(columns: detach.relationship.columns, parent: node.resource, rows[index])])
                    let journaled = journal?.keepsRows(of: detach.resource) == true
                    let cleared = Dictionary(uniqueKeysWithValues: detach.relationship.columns.map { ($0, Value.null) })
                    guard limit > 0 || journaled else {
                        detached[which] += try await session.update(detach.resource, where: predicate, set: cleared)
                        continue
                    }
                    // Only the rows read are set to null, so that the summary, the journal and a
                    // preview hold exactly what changed; a row that came to match since (a child
                    // committed by another transaction, under PostgreSQL's read committed) is
                    // read and set in the next turn.
                    while true {
                        let before = try await session.select(detach.resource, where: predicate)
                        guard !before.isEmpty else { break }
                        detachedRows[which].add(before)
                        if let journal, journaled {
                            try await journal.record(.setNull, before, of: detach.resource, cleared: detach.relationship.columns, in: session)
                        }
                        let keys = before.map { $0.key(in: detach.resource).values }
                        let size = max(1, Engine.chunkSize / detach.resource.key.count)
                        for start in stride(from: 0, to: keys.count, by: size) {
                            let read = RowPredicate.columns(detach.resource.key, in: Array(keys[start..<min(keys.count, start + size)]))
                            detached[which] += try await session.update(detach.resource, where: RowPredicate(predicate.conditions + read.conditions), set: cleared)
                        }
                    }
                }
                let journaled = journal?.keepsRows(of: node.resource) == true
                if limit > 0 || journaled {
                    let gone = try await session.delete(node.resource, where: rows[index], returning: node.resource.stored.columns)
                    deleted[index] += gone.count
                    deletedRows[index].add(gone)
                    if let journal, journaled { try await journal.record(.delete, gone, of: node.resource, in: session) }
                } else {
                    deleted[index] += try await session.delete(node.resource, where: rows[index])
                }
            }
        }
        // The summary's order: by depth, deletes before updates, then resource, then key; each
        // resource of a tree has one depth, so its rows come together.
        var groups: [(depth: Int, verb: ChangeVerb, resource: Resource, count: Int, rows: LeadingRows)] = []
        for (index, node) in tree.nodes.enumerated() {
            groups.append((node.depth, .delete, node.resource, deleted[index], deletedRows[index]))
        }
        for (index, detach) in tree.detaches.enumerated() {
            groups.append((detach.depth, .update, detach.resource, detached[index], detachedRows[index]))
        }
        groups.sort { a, b in
            if a.depth != b.depth { return a.depth < b.depth }
            if a.verb != b.verb { return a.verb == .delete }
            return a.resource.name < b.resource.name
        }
        var counts = ChangeCounts()
        var changes: [Change] = []
        for group in groups where group.count > 0 {
            counts.add(group.verb, group.resource.name, group.count)
            for row in group.rows.rows where changes.count < limit {
                changes.append(Change(resource: group.resource, verb: group.verb, row: row))
            }
        }
        return TreeApplied(
            changes: changes, counts: counts, targetsDeleted: deleted[0], deleted: deleted.reduce(0, +), detached: detached.reduce(0, +))
    }
}

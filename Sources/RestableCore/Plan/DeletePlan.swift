/// A row of some resource, by key: an element of a delete plan.
public struct RowReference: Sendable, Hashable {
    public var resource: String
    public var key: Key

    public init(resource: String, key: Key) {
        self.resource = resource
        self.key = key
    }
}

/// Everything a delete will do, worked out before anything changes (DELETE-SEMANTICS.md §1):
/// the rows it deletes (the targets' closure under cascade), the rows whose foreign keys it
/// clears (set-null), and, per target, why it cannot go. Applying a plan, or not (a dry run,
/// a refusal), is a separate step; the plan is the value the reference model is compared with.
public struct DeletePlan: Sendable {
    /// The addressed resource.
    public let resource: String
    /// Rows deleted, per resource, with the depth at which each was first reached (targets are 0).
    var deleted: [String: KeyMap<Int>] = [:]
    /// Rows detached, per resource: the columns cleared, and the depth (one below the nearest parent that goes).
    var cleared: [String: KeyMap<Cleared>] = [:]
    /// For each cascaded row, the rows whose cascade reached it (to trace a refusal back to its targets).
    var reachedFrom: [String: KeyMap<[RowReference]>] = [:]

    struct Cleared: Sendable {
        var columns: Set<String>
        var depth: Int
    }

    init(resource: String) {
        self.resource = resource
    }

    /// True when the plan deletes the row.
    public func deletes(_ row: RowReference) -> Bool {
        deleted[row.resource]?[row.key] != nil
    }

    /// How many rows of `resource` the plan deletes.
    public func deletedCount(of resource: String) -> Int {
        deleted[resource]?.count ?? 0
    }

    /// How many rows of `resource` the plan detaches.
    public func clearedCount(of resource: String) -> Int {
        cleared[resource]?.count ?? 0
    }

    /// The columns the plan clears on a row, if it detaches it.
    public func clearedColumns(of row: RowReference) -> Set<String>? {
        cleared[row.resource]?[row.key]?.columns
    }

    /// Every row the plan touches, in the summary's documented order: by depth from the targets,
    /// then DELETE before UPDATE, then resource name, then key in SQL order.
    public var ordered: [(verb: ChangeVerb, row: RowReference)] {
        var entries: [(depth: Int, verb: ChangeVerb, row: RowReference)] = []
        for (resource, rows) in deleted {
            for (key, depth) in rows.entries { entries.append((depth, .delete, RowReference(resource: resource, key: key))) }
        }
        for (resource, rows) in cleared {
            for (key, cleared) in rows.entries { entries.append((cleared.depth, .update, RowReference(resource: resource, key: key))) }
        }
        entries.sort { a, b in
            if a.depth != b.depth { return a.depth < b.depth }
            if a.verb != b.verb { return a.verb == .delete }
            if a.row.resource != b.row.resource { return a.row.resource < b.row.resource }
            return Key.precedes(a.row.key, b.row.key)
        }
        return entries.map { ($0.verb, $0.row) }
    }

    /// Counts per resource and verb, resources in the order they first appear in ``ordered``.
    public static func counts(of ordered: [(verb: ChangeVerb, row: RowReference)]) -> ChangeCounts {
        var counts = ChangeCounts()
        for entry in ordered { counts.add(entry.verb, entry.row.resource) }
        return counts
    }

    public var isEmpty: Bool { deleted.values.allSatisfy(\.isEmpty) && cleared.values.allSatisfy(\.isEmpty) }
}

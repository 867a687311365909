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
    /// Rows as the plan read them, kept for the summary (at most ``rememberedRowLimit`` in all),
    /// so that applying the plan need not read them again. They cannot have changed since: a
    /// plan is built and applied in one write transaction that holds (SQLite) or locks
    /// (PostgreSQL) what it read.
    private(set) var rows: [String: KeyMap<Row>] = [:]
    private(set) var rememberedRows = 0
    /// How many rows a plan keeps for its summary; the summary reads any others it lists.
    static let rememberedRowLimit = 1_000

    struct Cleared: Sendable {
        var columns: Set<String>
        var depth: Int
    }

    init(resource: String) {
        self.resource = resource
    }

    /// Keeps a row the plan read, for the summary, while fewer than ``rememberedRowLimit`` are kept.
    mutating func remember(_ row: Row, key: Key, of resource: String) {
        guard rememberedRows < Self.rememberedRowLimit, rows[resource]?[key] == nil else { return }
        rows[resource, default: KeyMap()][key] = row
        rememberedRows += 1
    }

    /// A row the plan read, if it kept it.
    func remembered(_ key: Key, of resource: String) -> Row? {
        rows[resource]?[key]
    }

    /// True when the plan deletes the row.
    public func deletes(_ row: RowReference) -> Bool {
        deleted[row.resource]?[row.key] != nil
    }

    /// How many rows of `resource` the plan deletes.
    public func deletedCount(of resource: String) -> Int {
        deleted[resource]?.count ?? 0
    }

    /// How many rows the plan deletes or detaches, over every resource.
    public var rowCount: Int {
        deleted.values.reduce(0) { $0 + $1.count } + cleared.values.reduce(0) { $0 + $1.count }
    }

    /// How many rows of `resource` the plan detaches.
    public func clearedCount(of resource: String) -> Int {
        cleared[resource]?.count ?? 0
    }

    /// The columns the plan clears on a row, if it detaches it.
    public func clearedColumns(of row: RowReference) -> Set<String>? {
        cleared[row.resource]?[row.key]?.columns
    }

    /// One entry of the summary, and its place in the documented order: by depth from the
    /// targets, then DELETE before UPDATE, then resource name, then key in SQL order.
    public struct Entry: Sendable {
        public var depth: Int
        public var verb: ChangeVerb
        public var row: RowReference

        static func precedes(_ a: Entry, _ b: Entry) -> Bool {
            if a.depth != b.depth { return a.depth < b.depth }
            if a.verb != b.verb { return a.verb == .delete }
            if a.row.resource != b.row.resource { return a.row.resource < b.row.resource }
            return Key.precedes(a.row.key, b.row.key)
        }
    }

    /// The first `limit` rows of the summary in order, the counts per resource and verb (resources
    /// in the order they first appear in the summary), and how many rows the plan touches. Keeps
    /// at most `2 * limit` entries at a time, whatever the plan's size.
    public func summary(limit: Int) -> (leading: [Entry], counts: ChangeCounts, total: Int) {
        var kept: [Entry] = []
        var total = 0
        var first: [String: [ChangeVerb: Entry]] = [:]
        func consider(_ entry: Entry) {
            total += 1
            if let earlier = first[entry.row.resource]?[entry.verb], !Entry.precedes(entry, earlier) {
                // an earlier entry of this resource and verb is already known
            } else {
                first[entry.row.resource, default: [:]][entry.verb] = entry
            }
            guard limit > 0 else { return }
            kept.append(entry)
            if kept.count >= 2 * limit {
                kept.sort(by: Entry.precedes)
                kept.removeSubrange(limit...)
            }
        }
        for (resource, rows) in deleted {
            rows.forEach { key, depth in consider(Entry(depth: depth, verb: .delete, row: RowReference(resource: resource, key: key))) }
        }
        for (resource, rows) in cleared {
            rows.forEach { key, cleared in
                consider(Entry(depth: cleared.depth, verb: .update, row: RowReference(resource: resource, key: key)))
            }
        }
        kept.sort(by: Entry.precedes)
        if kept.count > limit { kept.removeSubrange(max(0, limit)...) }
        var counts = ChangeCounts()
        let firsts = first.flatMap { resource, verbs in verbs.values.map { ($0, resource) } }.sorted { Entry.precedes($0.0, $1.0) }
        for (entry, resource) in firsts {
            counts.add(entry.verb, resource, entry.verb == .delete ? deletedCount(of: resource) : clearedCount(of: resource))
        }
        return (kept, counts, total)
    }

    public var isEmpty: Bool { deleted.values.allSatisfy(\.isEmpty) && cleared.values.allSatisfy(\.isEmpty) }
}

/// What a delete does with the rows of its plan.
enum DeleteMode: Sendable, Hashable {
    /// Removes them, detaching set-null children (every delete of a resource without a trash,
    /// and a purge).
    case hard
    /// Puts them in the trash: the target and its cascade's live rows get one mark.
    case trash

    /// How a delete of `resource` treats its rows: into the trash when it keeps one, unless
    /// the delete is a purge.
    static func of(_ resource: Resource, purge: Bool) -> DeleteMode {
        resource.softDelete != nil && !purge ? .trash : .hard
    }
}

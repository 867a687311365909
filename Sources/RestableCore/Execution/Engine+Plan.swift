/// Working out a delete plan (DELETE-SEMANTICS.md §1 and §2): the closure of the targets under
/// cascade, the set-null rows, then every refusal checked against the rows that stay. Reads
/// only; nothing changes here.
extension Engine {
    /// How many blocking keys a `restricted` error lists per relationship.
    static let blockingKeysShown = 5
    /// The most rows one delete may delete or detach: the plan holds each one's key.
    public static let maximumPlanRows = 5_000_000
    /// The most times a lenient delete plans again after leaving out refused targets. Each round
    /// reads the plan anew, so a chain of refusals (each target blocked only once the one before
    /// it is left out) is cut off here rather than costing a round per target.
    public static let maximumLenientRounds = 32

    /// The plan for deleting `targets` (existing rows of `resource` that passed their own
    /// checks), and the targets it refuses: a target is refused when a row that stays would
    /// still point through a restrict relationship at a row of its closure, or when its
    /// closure would clear a required column through a set-null relationship.
    /// `targetRows` are rows of targets already read, kept for the summary.
    ///
    /// A plan that puts rows in the trash (`mode` `.trash`) reaches live rows only: its cascade
    /// marks the live rows it reaches, a restrict is held by live rows only, and a set-null
    /// clears nothing (the parent row is still there; a purge detaches its children).
    func planDelete(
        _ targets: KeyMap<Int>, of resource: Resource, targetRows: KeyMap<Row> = KeyMap(), mode: DeleteMode = .hard,
        in session: any StoreSession
    ) async throws -> (plan: DeletePlan, refused: KeyMap<RestableError>) {
        var plan = DeletePlan(resource: resource.name)
        plan.deleted[resource.name] = targets.mapValues { _ in 0 }
        targetRows.forEach { key, row in
            if targets[key] != nil { plan.remember(row, key: key, of: resource.name) }
        }
        try await closeUnderCascade(&plan, from: [resource.name: targets.keys], mode: mode, in: session)
        var blocked: [RowReference: [Blocker]] = [:]
        if mode == .hard { try await findSetNulls(&plan, blocked: &blocked, in: session) }
        try await findRestricts(plan, blocked: &blocked, mode: mode, in: session)
        guard !blocked.isEmpty else { return (plan, KeyMap()) }
        return (plan, try refusals(blocked, plan: plan, resource: resource))
    }

    /// One child row that blocks a parent of the plan: through which relationship, and why.
    struct Blocker: Sendable {
        var relationship: Relationship
        var child: Key
        /// True for a set-null that would clear a required column; false for a restrict.
        var clearsRequired: Bool
        /// True for a child in the trash (which a hard delete counts: it still names the row).
        var inTrash = false
    }

    /// Adds every row reached by cascade from `frontier`, level by level, set-based.
    private func closeUnderCascade(
        _ plan: inout DeletePlan, from start: [String: CompactKeys], mode: DeleteMode, in session: any StoreSession
    ) async throws {
        var frontier = start
        var depth = 0
        var total = start.values.reduce(0) { $0 + $1.count }
        while !frontier.isEmpty {
            try Task.checkCancellation()
            var next: [String: CompactKeys] = [:]
            for (parentName, keys) in frontier.sorted(by: { $0.key < $1.key }) where !keys.isEmpty {
                for relationship in schema.dependents(of: parentName) where relationship.onDelete == .cascade {
                    let child = try schema.require(relationship.child)
                    if mode == .trash, child.softDelete == nil { throw Self.trashReachesHardResource(child, by: relationship) }
                    for chunk in keys.chunks(of: Engine.chunkSize) {
                        let reached = RowPredicate.columns(relationship.columns, in: keys.values(chunk))
                        let rows = try await session.select(child, where: mode == .trash ? live(reached, of: child) : reached)
                        if !rows.isEmpty, let reason = child.readOnly {
                            throw Self.readOnlyReached(child, reason, by: relationship, action: "delete", count: rows.count)
                        }
                        for row in rows {
                            let key = row.key(in: child)
                            let parent = RowReference(resource: parentName, key: Key(row.values(of: relationship.columns)))
                            plan.reachedFrom[child.name, default: KeyMap()][key, default: []].append(parent)
                            if plan.deleted[child.name]?[key] == nil {
                                plan.deleted[child.name, default: KeyMap()][key] = depth + 1
                                plan.remember(row, key: key, of: child.name)
                                next[child.name, default: CompactKeys()].append(key)
                                total += 1
                                guard total <= Self.maximumPlanRows else { throw Self.planTooLarge(Self.maximumPlanRows) }
                            }
                        }
                    }
                }
            }
            frontier = next
            depth += 1
        }
    }

    /// A delete whose cascade or set-null would change rows of a read-only resource: refused as a
    /// whole, whatever the handling, before anything changes.
    static func readOnlyReached(_ child: Resource, _ reason: ReadOnlyReason, by relationship: Relationship, action: String, count: Int) -> RestableError {
        let rows = "\(count) \(child.name) row\(count == 1 ? "" : "s")"
        return RestableError(
            .readOnly,
            "this delete would \(action) \(rows) through \(child.name)(\(relationship.columns.joined(separator: ", "))) -> \(relationship.parent) (on delete \(relationship.onDelete.rawValue)), but \(child.name) is read-only (\(reason.explanation)); nothing was changed",
            resource: child.name)
    }

    /// A soft delete whose cascade reaches a resource without a trash: the configuration
    /// refuses such a schema at start-up, so this is a schema made by hand.
    static func trashReachesHardResource(_ child: Resource, by relationship: Relationship) -> RestableError {
        RestableError(
            .schemaMismatch,
            "a delete of \(relationship.parent) puts rows in the trash, but its cascade reaches \(child.name), which has no softDelete; nothing was changed",
            resource: child.name)
    }

    /// A request that names more keys (or batch operations) than ``maximumKeys``.
    static func tooManyKeys(_ limit: Int) -> RestableError {
        RestableError(
            .planTooLarge, "this request names more than \(limit) keys, the most one request may name; nothing was changed: send it in smaller parts")
    }

    static func planTooLarge(_ limit: Int) -> RestableError {
        RestableError(
            .planTooLarge, "this delete would touch more than \(limit) rows in one request; nothing was changed: send it in smaller parts")
    }

    /// Calls `body` with every row that names, through a relationship of `action`, a row of
    /// `deleted` (the parent's resource, its depths, and the child's resource go with it).
    private func forEachDependent(
        of deleted: [String: KeyMap<Int>], through action: ReferentialAction, liveOnly: Bool = false, in session: any StoreSession,
        _ body: (Relationship, Resource, String, KeyMap<Int>, Row) -> Void
    ) async throws {
        for (parentName, rows) in deleted.sorted(by: { $0.key < $1.key }) where !rows.isEmpty {
            let relationships = schema.dependents(of: parentName).filter { $0.onDelete == action }
            guard !relationships.isEmpty else { continue }
            let keys = rows.keys
            for relationship in relationships {
                let child = try schema.require(relationship.child)
                for chunk in keys.chunks(of: Engine.chunkSize) {
                    try Task.checkCancellation()
                    let dependents = RowPredicate.columns(relationship.columns, in: keys.values(chunk))
                    // With the trash column, so that a child in the trash can be told apart.
                    for row in try await session.select(liveOnly ? child : child.stored, where: liveOnly ? live(dependents, of: child) : dependents) {
                        body(relationship, child, parentName, rows, row)
                    }
                }
            }
        }
    }

    /// The rows that stay but whose foreign key names a row that goes, through set-null: they
    /// are detached. Clearing a required column blocks the parent instead.
    private func findSetNulls(_ plan: inout DeletePlan, blocked: inout [RowReference: [Blocker]], in session: any StoreSession) async throws {
        let deleted = plan.deleted
        var readOnly: (Resource, ReadOnlyReason, Relationship, Int)?
        try await forEachDependent(of: deleted, through: .setNull, in: session) { relationship, child, parentName, parents, row in
            let key = row.key(in: child)
            guard deleted[child.name]?[key] == nil else { return }
            if let reason = child.readOnly {
                if readOnly == nil { readOnly = (child, reason, relationship, 0) }
                if readOnly?.0.name == child.name, readOnly?.2 == relationship { readOnly?.3 += 1 }
                return
            }
            let parentKey = Key(row.values(of: relationship.columns))
            let required = relationship.columns.contains { name in child.key.contains(name) || child.column(named: name)?.required == true }
            if required {
                blocked[RowReference(resource: parentName, key: parentKey), default: []].append(
                    Blocker(relationship: relationship, child: key, clearsRequired: true, inTrash: child.isTrashed(row)))
                return
            }
            let depth = (parents[parentKey] ?? 0) + 1
            var cleared = plan.cleared[child.name]?[key] ?? DeletePlan.Cleared(columns: [], depth: depth)
            cleared.columns.formUnion(relationship.columns)
            cleared.depth = min(cleared.depth, depth)
            plan.cleared[child.name, default: KeyMap()][key] = cleared
            plan.remember(row, key: key, of: child.name)
        }
        if let (child, reason, relationship, count) = readOnly {
            throw Self.readOnlyReached(child, reason, by: relationship, action: "clear the foreign key of", count: count)
        }
    }

    /// Refuses as a whole (`forbidden`, nothing changed) a plan about to be applied whose
    /// cascades or set-nulls reach rows the caller may not change so. It is the plan of the
    /// targets that go, after every refusal: a target left out reaches nothing.
    func authorizeReach(of plan: DeletePlan, in session: any StoreSession) async throws {
        guard authorization.principal != nil else { return }
        // Nearest the targets first, as a cascade reaches them.
        func depth(_ name: String) -> Int {
            var shallowest = Int.max
            plan.reachedFrom[name]?.forEach { key, _ in shallowest = min(shallowest, plan.deleted[name]?[key] ?? Int.max) }
            return shallowest
        }
        let order = plan.reachedFrom.keys.map { ($0, depth($0)) }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
        for name in order {
            guard let reached = plan.reachedFrom[name], !reached.isEmpty else { continue }
            let entries = reached.entries
            let parents = Set(entries.flatMap { $0.1.map(\.resource) }).sorted()
            try await authorizeReach(
                .delete, of: try schema.require(name), keys: entries.map(\.0), through: "a cascade from \(parents.joined(separator: ", "))",
                from: parents, in: session)
        }
        for (name, rows) in plan.cleared.sorted(by: { $0.key < $1.key }) where !rows.isEmpty {
            try await authorizeReach(.update, of: try schema.require(name), keys: rows.entries.map(\.0), through: "a set-null relationship", from: [], in: session)
        }
    }

    /// Refuses as a whole (`forbidden`, nothing changed) a plan whose cascade (`.delete`) or
    /// set-null (`.update`) reaches rows of `child` that the caller may not change so: it needs
    /// `cascade` on the parent resource and `delete` on the child for a cascade, `update` on
    /// the child for a set-null, and every reached row must meet the caller's policies for it.
    /// The message names resources and policies, never the keys of rows the caller cannot see.
    func authorizeReach(
        _ action: Action, of child: Resource, keys: [Key], through relationship: String, from parents: [String],
        in session: any StoreSession
    ) async throws {
        let authorization = self.authorization
        guard let principal = authorization.principal else { return }
        let who = Authorization.who(principal)
        let rows = "\(keys.count) \(child.name) row\(keys.count == 1 ? "" : "s")"
        let reach = action == .delete ? "cascade to \(rows) through \(relationship)" : "clear the foreign key of \(rows) through \(relationship)"
        if let parent = parents.first(where: { !authorization.allows(.cascade, on: $0) }) {
            throw RestableError(
                .forbidden, "this delete would \(reach), but \(who) may not cascade a delete from \(parent); nothing was changed",
                resource: parent)
        }
        guard authorization.allows(action, on: child.name) else {
            throw RestableError(
                .forbidden, "this delete would \(reach), but \(who) may not \(Authorization.verb(action)) \(child.name); nothing was changed",
                resource: child.name)
        }
        guard let filter = authorization.rows(action, of: child) else { return }
        let allowed = try await count(keys, of: child, meeting: filter, in: session)
        guard allowed < keys.count else { return }
        let refused = keys.count - allowed
        throw RestableError(
            .forbidden,
            "this delete would \(reach), but \(refused) of them \(refused == 1 ? "does" : "do") not meet \(filter.described), so \(who) may not \(action == .delete ? "delete" : "update") \(refused == 1 ? "it" : "them"); nothing was changed",
            resource: child.name)
    }

    /// The rows that stay and would still point at a row that goes through a restrict
    /// relationship (a row the plan detaches no longer points: a foreign key with a null column
    /// names nothing, as in SQL).
    /// In a plan that puts rows in the trash, only live rows hold a restrict; in a hard one,
    /// a row in the trash holds it too (it still names the row that would go).
    private func findRestricts(
        _ plan: DeletePlan, blocked: inout [RowReference: [Blocker]], mode: DeleteMode, in session: any StoreSession
    ) async throws {
        try await forEachDependent(of: plan.deleted, through: .restrict, liveOnly: mode == .trash, in: session) { relationship, child, parentName, _, row in
            let reference = RowReference(resource: child.name, key: row.key(in: child))
            if plan.deletes(reference) { return }
            if let cleared = plan.clearedColumns(of: reference), !cleared.isDisjoint(with: relationship.columns) { return }
            let parent = RowReference(resource: parentName, key: Key(row.values(of: relationship.columns)))
            blocked[parent, default: []].append(
                Blocker(relationship: relationship, child: reference.key, clearsRequired: false, inTrash: child.isTrashed(row)))
        }
    }

    /// Traces each blocked row back to the targets whose closure holds it, and explains the
    /// refusal of each such target.
    private func refusals(_ blocked: [RowReference: [Blocker]], plan: DeletePlan, resource: Resource) throws -> KeyMap<RestableError> {
        var reachedBy = KeyMap<[RowReference]>()
        for parent in blocked.keys {
            var seen: Set<RowReference> = [parent]
            var queue = [parent]
            while let row = queue.popLast() {
                if row.resource == resource.name, plan.deleted[resource.name]?[row.key] == 0 {
                    reachedBy[row.key, default: []].append(parent)
                }
                for from in plan.reachedFrom[row.resource]?[row.key] ?? [] where seen.insert(from).inserted {
                    queue.append(from)
                }
            }
        }
        var refused = KeyMap<RestableError>()
        for (target, parents) in reachedBy.entries {
            let ordered = parents.sorted { a, b in
                let depthA = plan.deleted[a.resource]?[a.key] ?? 0
                let depthB = plan.deleted[b.resource]?[b.key] ?? 0
                if depthA != depthB { return depthA < depthB }
                if a.resource != b.resource { return a.resource < b.resource }
                return Key.precedes(a.key, b.key)
            }
            let own = RowReference(resource: resource.name, key: target)
            let first = ordered[0]
            let named = blocked[own] != nil ? [own] : ordered.filter { $0.resource == first.resource }
            refused[target] = restricted(
                target: target, of: resource, reached: named.map(\.key), in: try schema.require(named[0].resource),
                blockers: named.flatMap { blocked[$0] ?? [] })
        }
        return refused
    }

    /// The `restricted` error of one target, naming the rows in the way per relationship.
    private func restricted(
        target: Key, of resource: Resource, reached: [Key], in blockedResource: Resource, blockers: [Blocker]
    ) -> RestableError {
        var groups: [(relationship: Relationship, clearsRequired: Bool, keys: [Key], inTrash: KeySet)] = []
        for blocker in blockers {
            if let index = groups.firstIndex(where: { $0.relationship == blocker.relationship && $0.clearsRequired == blocker.clearsRequired }) {
                groups[index].keys.append(blocker.child)
                if blocker.inTrash { groups[index].inTrash.insert(blocker.child) }
            } else {
                var inTrash = KeySet()
                if blocker.inTrash { inTrash.insert(blocker.child) }
                groups.append((blocker.relationship, blocker.clearsRequired, [blocker.child], inTrash))
            }
        }
        groups.sort { a, b in
            if a.relationship.child != b.relationship.child { return a.relationship.child < b.relationship.child }
            return a.relationship.columns.lexicographicallyPrecedes(b.relationship.columns)
        }
        var dependents: [BlockingDependents] = []
        let authorization = self.authorization
        func shown(_ resource: String) -> Bool {
            authorization.principal == nil
                || (authorization.allows(.read, on: resource) && schema.resource(named: resource).map { authorization.rows(.read, of: $0) == nil } == true)
        }
        var restrictReasons: [String] = []
        var requiredReasons: [String] = []
        for group in groups {
            var unique = KeySet()
            let keys = group.keys.filter { unique.insert($0) }.sorted(by: Key.precedes)
            // Keys of rows the caller may not read are left out: existence does not leak.
            let visible = shown(group.relationship.child)
            let listed = visible ? Array(keys.prefix(Self.blockingKeysShown)) : []
            dependents.append(
                BlockingDependents(resource: group.relationship.child, columns: group.relationship.columns, count: keys.count, keys: listed))
            let more = keys.count > listed.count ? "; ..." : ""
            let list = visible ? " (\(listed.map(\.description).joined(separator: "; "))\(more))" : ""
            let trashed = keys.filter { group.inTrash.contains($0) }.count
            let trash =
                trashed == 0 ? "" : trashed == keys.count ? ", in the trash: purge \(trashed == 1 ? "it" : "them") first" : ", \(trashed) of them in the trash"
            let rows = "\(keys.count) \(group.relationship.child) row\(keys.count == 1 ? "" : "s")\(list)\(trash)"
            if group.clearsRequired {
                requiredReasons.append("\(rows), whose required \(group.relationship.columns.joined(separator: ", ")) a set-null would clear")
            } else {
                restrictReasons.append(rows)
            }
        }
        var reasons: [String] = []
        if !restrictReasons.isEmpty {
            reasons.append("dependents whose relationship is restrict: " + restrictReasons.joined(separator: ", "))
        }
        if !requiredReasons.isEmpty { reasons.append("dependents " + requiredReasons.joined(separator: ", ")) }
        let why = reasons.joined(separator: "; and ")
        let subject = "\(resource.name) \(target) cannot be deleted"
        let message: String
        if blockedResource.name == resource.name, reached == [target] {
            message = "\(subject): it still has \(why)"
        } else {
            let what = reached.count == 1 ? "\(blockedResource.name) \(reached[0])" : "\(reached.count) \(blockedResource.name) rows"
            message = "\(subject): it cascades to \(what), which still \(reached.count == 1 ? "has" : "have") \(why)"
        }
        return RestableError(.restricted, message, resource: resource.name, key: target, blockers: dependents)
    }
}

import RestableCore

/// The rules of a delete (DELETE-SEMANTICS.md), stated again for obviousness, not speed:
/// in-memory tables, fixpoints computed by brute force, lenient handling by removing one
/// blocked target at a time. The property tests compare the engine with it.
struct DeleteModel {
    var resources: [Resource]
    var relationships: [Relationship]
    /// Every row, per resource, by key.
    var tables: [String: [Key: Row]]
    /// Who deletes: nil for an unrestricted caller.
    var access: ModelAccess? = nil

    struct Reference: Hashable {
        var resource: String
        var key: Key
    }

    enum Selection {
        case keys([(Key, Precondition)])
        /// Rows whose `v` column equals the value.
        case textEquals(String, Precondition)
        case everyRow(Precondition)
        /// A mixed batch of single-row deletes, run in order: each sees what the earlier ones did.
        case batch([(Key, Precondition)])
    }

    struct Outcome: Equatable {
        var kind: OutcomeKind
        var failures: [Key: String]
        var summary: [String]
        var counts: [String: [String: Int]]
        var succeeded: Int
        var tooManyAffected: Int?
        /// The code of a refusal of the whole request (`forbidden`, `overBudget`).
        var refused: String? = nil

        static func refusal(_ code: String) -> Outcome {
            Outcome(kind: .none, failures: [:], summary: [], counts: [:], succeeded: 0, refused: code)
        }
    }

    func resource(_ name: String) -> Resource { resources.first { $0.name == name }! }

    /// What a row put in the trash by the request holds in its softDelete column (the tests
    /// read the database so, as the instant itself differs from run to run).
    static let newMark = Value.text("marked by this delete")

    /// The children of `parent` through `relationship`: rows whose columns equal its key (no nulls).
    func children(of parent: Reference, through relationship: Relationship) -> [Reference] {
        guard relationship.parent == parent.resource else { return [] }
        return (tables[relationship.child] ?? [:]).values.compactMap { row in
            let values = relationship.columns.map { row[$0] }
            guard !values.contains(where: \.isNull), values == parent.key.values else { return nil }
            return Reference(resource: relationship.child, key: row.key(in: resource(relationship.child)))
        }
    }

    /// True when the row is in the trash (its resource's softDelete column is set).
    func isTrashed(_ row: Reference) -> Bool {
        guard let column = resource(row.resource).softDelete?.column else { return false }
        return !(tables[row.resource]?[row.key]?[column] ?? .null).isNull
    }

    /// The rows a delete reaches through `relationship`: in the trash mode, live ones only
    /// (rows already in the trash stay as they are); otherwise every one.
    func reached(from parent: Reference, through relationship: Relationship) -> [Reference] {
        let all = children(of: parent, through: relationship)
        return trashMode ? all.filter { !isTrashed($0) } : all
    }

    /// True while the request puts rows in the trash (set by ``run(_:_:_:)``).
    var trashMode = false

    func closure(_ start: Set<Reference>) -> Set<Reference> {
        var closed = start
        while true {
            var added = false
            for row in closed {
                for relationship in relationships where relationship.onDelete == .cascade {
                    for child in reached(from: row, through: relationship) where !closed.contains(child) {
                        closed.insert(child)
                        added = true
                    }
                }
            }
            if !added { return closed }
        }
    }

    /// The columns each staying row has cleared: every non-required set-null whose parent goes.
    /// Nothing, for rows put in the trash: the parent is still there.
    func cleared(_ deleted: Set<Reference>) -> [Reference: Set<String>] {
        var cleared: [Reference: Set<String>] = [:]
        if trashMode { return cleared }
        for parent in deleted {
            for relationship in relationships where relationship.onDelete == .setNull && !requiresValue(relationship) {
                for child in children(of: parent, through: relationship) where !deleted.contains(child) {
                    cleared[child, default: []].formUnion(relationship.columns)
                }
            }
        }
        return cleared
    }

    func requiresValue(_ relationship: Relationship) -> Bool {
        let child = resource(relationship.child)
        return relationship.columns.contains { name in child.key.contains(name) || child.column(named: name)!.required }
    }

    /// True when a target cannot go while `deleted` goes: a row of its closure keeps a
    /// dependent that stays and still points at it (restrict), or would lose a required value.
    func blocked(_ target: Reference, deleted: Set<Reference>) -> Bool {
        let cleared = cleared(deleted)
        for row in closure([target]) {
            for relationship in relationships where relationship.parent == row.resource {
                for child in reached(from: row, through: relationship) where !deleted.contains(child) {
                    switch relationship.onDelete {
                    case .restrict:
                        if cleared[child]?.isDisjoint(with: relationship.columns) ?? true { return true }
                    case .setNull:
                        if !trashMode, requiresValue(relationship) { return true }
                    case .cascade:
                        break
                    }
                }
            }
        }
        return false
    }

    func passes(_ precondition: Precondition, _ row: Row, in resource: Resource) -> String? {
        if resource.optimisticLocking == .off { return nil }
        switch precondition {
        case .override: return nil
        case .none: return resource.optimisticLocking == .required ? "checksumRequired" : nil
        case .checksum(let given): return given == Checksum.of(row, in: resource) ? nil : "checksumMismatch"
        }
    }

    /// What the request does, and the tables afterwards.
    ///
    /// A delete of a resource with soft delete puts rows in the trash: its targets and its
    /// cascade are live rows, a restrict is held by live rows only, nothing is set to null,
    /// and the rows stay, marked. A purge (`options.purge`) addresses rows in the trash only
    /// (a live one is `notInTrash`) and deletes for good, every row counting.
    func run(_ name: String, _ selection: Selection, _ options: DeleteOptions) -> (Outcome, [String: [Key: Row]]) {
        var model = self
        model.trashMode = resource(name).softDelete != nil && !options.purge
        return model.runRequest(name, selection, options)
    }

    private func runRequest(_ name: String, _ selection: Selection, _ options: DeleteOptions) -> (Outcome, [String: [Key: Row]]) {
        if let access, !access.allows(options.purge ? .purge : .delete, on: name) { return (.refusal("forbidden"), tables) }
        if case .batch(let operations) = selection { return runBatch(name, operations, options) }
        let addressed = resource(name)
        // Rows a filter selects: live ones, or for a purge those in the trash.
        func inScope(_ row: Row) -> Bool { isTrashed(Reference(resource: name, key: row.key(in: addressed))) == options.purge }
        var targets: [(Key, Precondition)] = []
        switch selection {
        case .keys(let keys):
            var seen = Set<Key>()
            targets = keys.filter { seen.insert($0.0).inserted }
        case .textEquals(let text, let precondition):
            targets = (tables[name] ?? [:]).values.filter { $0["v"] == .text(text) && inScope($0) }.map { ($0.key(in: addressed), precondition) }
        case .everyRow(let precondition):
            targets = (tables[name] ?? [:]).values.filter(inScope).map { ($0.key(in: addressed), precondition) }
        case .batch:
            return runBatch(name, [], options)
        }
        var failures: [Key: String] = [:]
        var accepted: [Reference] = []
        for (key, precondition) in targets {
            guard let row = tables[name]?[key], inScope(row) else {
                if tables[name]?[key] != nil, options.purge {
                    failures[key] = "notInTrash"
                } else if !options.ignoreMissing {
                    failures[key] = "notFound"
                }
                continue
            }
            if let access, !options.purge, !access.mayDelete(row, of: name) {
                failures[key] = "forbidden"
            } else if let code = passes(precondition, row, in: addressed) {
                failures[key] = code
            } else {
                accepted.append(Reference(resource: name, key: key))
            }
        }
        if options.handling == .strict {
            let deleted = closure(Set(accepted))
            for target in accepted where blocked(target, deleted: deleted) { failures[target.key] = "restricted" }
            if !failures.isEmpty { accepted = [] }
        } else {
            while let target = accepted.last(where: { blocked($0, deleted: closure(Set(accepted))) }) {
                failures[target.key] = "restricted"
                accepted.removeAll { $0 == target }
            }
        }
        guard !accepted.isEmpty else {
            return (Outcome(kind: failures.isEmpty ? .all : .none, failures: failures, summary: [], counts: [:], succeeded: 0), tables)
        }
        if !mayReach(from: Set(accepted)) { return (.refusal("forbidden"), tables) }
        let deleted = closure(Set(accepted))
        if let max = access?.maxRowsPerRequest, deleted.count + cleared(deleted).count > max { return (.refusal("overBudget"), tables) }
        if let max = options.maxAffected {
            let count = deleted.filter { $0.resource == name }.count
            if count > max {
                return (
                    Outcome(kind: .none, failures: [:], summary: [], counts: [:], succeeded: 0, tooManyAffected: count), tables
                )
            }
        }
        let cleared = cleared(deleted)
        var depth: [Reference: Int] = [:]
        for target in accepted { depth[target] = 0 }
        var level = 0
        while true {
            let frontier = depth.filter { $0.value == level }.map(\.key)
            if frontier.isEmpty { break }
            for row in frontier {
                for relationship in relationships where relationship.onDelete == .cascade {
                    for child in reached(from: row, through: relationship) where depth[child] == nil { depth[child] = level + 1 }
                }
            }
            level += 1
        }
        var entries: [(Int, String, Reference)] = deleted.map { (depth[$0]!, "DELETE", $0) }
        for (row, _) in cleared {
            let parents = deleted.filter { parent in
                relationships.contains { $0.onDelete == .setNull && !requiresValue($0) && children(of: parent, through: $0).contains(row) }
            }
            entries.append((parents.map { depth[$0]! }.min()! + 1, "UPDATE", row))
        }
        entries.sort { a, b in
            if a.0 != b.0 { return a.0 < b.0 }
            if a.1 != b.1 { return a.1 == "DELETE" }
            if a.2.resource != b.2.resource { return a.2.resource < b.2.resource }
            return a.2.key.values.lexicographicallyPrecedes(b.2.key.values) { x, y in
                if case .integer(let p) = x, case .integer(let q) = y { return p < q }
                return false
            }
        }
        var counts: [String: [String: Int]] = [:]
        for entry in entries { counts[entry.2.resource, default: [:]][entry.1, default: 0] += 1 }
        var after = tables
        for row in deleted {
            if trashMode, let column = resource(row.resource).softDelete?.column {
                after[row.resource]?[row.key]?[column] = DeleteModel.newMark
            } else {
                after[row.resource]?[row.key] = nil
            }
        }
        for (row, columns) in cleared {
            for column in columns { after[row.resource]?[row.key]?[column] = .null }
        }
        let outcome = Outcome(
            kind: failures.isEmpty ? .all : .partial, failures: failures,
            summary: entries.map { "\($0.1) \($0.2.resource) \($0.2.key)" }, counts: counts, succeeded: accepted.count)
        return (outcome, options.dryRun ? tables : after)
    }

    /// True when the caller may make every change that deleting `targets` reaches: each
    /// cascade needs `cascade` on the parent's resource and `delete` (and the delete policy)
    /// on the child's; each row a set-null detaches needs `update` on its resource.
    func mayReach(from targets: Set<Reference>) -> Bool {
        guard let access else { return true }
        let deleted = closure(targets)
        for row in deleted {
            for relationship in relationships where relationship.onDelete == .cascade {
                let children = reached(from: row, through: relationship)
                guard !children.isEmpty else { continue }
                if !access.allows(.cascade, on: row.resource) || !access.allows(.delete, on: relationship.child) { return false }
                if children.contains(where: { !access.mayDelete(tables[$0.resource]![$0.key]!, of: $0.resource) }) { return false }
            }
        }
        return cleared(deleted).keys.allSatisfy { access.allows(.update, on: $0.resource) }
    }

    /// A batch: each delete alone and strict, in order, on the tables the earlier ones left;
    /// failures are keyed by the operation's position. Strict: one failure and nothing changes.
    func runBatch(_ name: String, _ operations: [(Key, Precondition)], _ options: DeleteOptions) -> (Outcome, [String: [Key: Row]]) {
        var current = tables
        var failures: [Key: String] = [:]
        var summary: [String] = []
        var counts: [String: [String: Int]] = [:]
        var succeeded = 0
        var removed = 0
        var single = access
        single?.maxRowsPerRequest = nil
        for (index, operation) in operations.enumerated() {
            let model = DeleteModel(resources: resources, relationships: relationships, tables: current, access: single)
            let (outcome, after) = model.run(
                name, .keys([operation]), DeleteOptions(ignoreMissing: options.ignoreMissing, handling: .strict))
            if let code = outcome.failures.values.first ?? outcome.refused {
                failures[Key([.integer(Int64(index))])] = code
                continue
            }
            removed += outcome.counts.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            if let max = access?.maxRowsPerRequest, removed > max { return (.refusal("overBudget"), tables) }
            current = after
            summary += outcome.summary
            for (resource, verbs) in outcome.counts {
                for (verb, count) in verbs { counts[resource, default: [:]][verb, default: 0] += count }
            }
            succeeded += 1
        }
        if failures.isEmpty || (options.handling == .lenient && succeeded > 0) {
            let outcome = Outcome(
                kind: failures.isEmpty ? .all : .partial, failures: failures, summary: summary, counts: counts, succeeded: succeeded)
            return (outcome, options.dryRun ? tables : current)
        }
        return (Outcome(kind: .none, failures: failures, summary: [], counts: [:], succeeded: 0), tables)
    }
}

import RestableCore

/// A random schema, data set and delete request, built from a seed: the same seed and size
/// always give the same scenario. Size bounds the number of resources, rows and targets.
struct Scenario: CustomStringConvertible {
    var resources: [Resource]
    var relationships: [Relationship]
    var rows: [String: [Row]]
    var resource: String
    var selection: DeleteModel.Selection
    var options: DeleteOptions

    /// SplitMix64: small, seedable, and the same on every platform.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
        mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
        mutating func shuffle<T>(_ items: [T]) -> [T] {
            var items = items
            for index in items.indices.reversed() where index > 0 { items.swapAt(index, int(0...index)) }
            return items
        }
    }

    /// The softDelete column of the resources that keep a trash.
    static let trashColumn = "gone_at"
    /// What a row that starts in the trash holds in it.
    static let earlierMark = Value.text("2026-01-01T00:00:00.000000Z")

    /// With `trash`, some resources keep a trash (every cascade child of one too), some rows
    /// start in it, and a delete of such a resource may be a purge; drawn from a stream of
    /// their own, so that the rest of a seed's scenario is the same either way.
    init(seed: UInt64, size: Int, trash: Bool = false) {
        var random = Random(state: seed)
        var trashRandom = Random(state: seed ^ 0x5452_4153_4800_0000)
        let resourceCount = random.int(1...max(1, min(4, size)))
        var columns: [[Column]] = []
        var keys: [[String]] = []
        for _ in 0..<resourceCount {
            let composite = random.chance(25)
            keys.append(composite ? ["id", "part"] : ["id"])
            columns.append([Column(name: "id", type: .integer)] + (composite ? [Column(name: "part", type: .integer)] : []) + [Column(name: "v", type: .text)])
        }
        var relationships: [Relationship] = []
        for index in 0..<random.int(0...(resourceCount + 2)) {
            let parent = random.int(0...(resourceCount - 1))
            let child = random.int(0...(resourceCount - 1))
            let names = keys[parent].indices.map { "f\(index)_\($0)" }
            let action = random.pick(ReferentialAction.allCases)
            let required = action != .cascade && random.chance(15)
            columns[child] += names.map { Column(name: $0, type: .integer, required: required) }
            relationships.append(Relationship(parent: "r\(parent)", child: "r\(child)", columns: names, onDelete: action))
        }
        resources = (0..<resourceCount).map { index in
            Resource(
                name: "r\(index)", key: keys[index], columns: columns[index],
                optimisticLocking: random.pick([OptimisticLocking.off, .optional, .optional, .required]))
        }
        if trash {
            var soft = Set(resources.map(\.name).filter { _ in trashRandom.chance(50) })
            // A resource with a trash cascades only into resources with one.
            while let relationship = relationships.first(where: { $0.onDelete == .cascade && soft.contains($0.parent) && !soft.contains($0.child) }) {
                soft.insert(relationship.child)
            }
            for index in resources.indices where soft.contains(resources[index].name) {
                resources[index].softDelete = SoftDelete(column: Self.trashColumn)
            }
        }
        self.relationships = relationships
        var rows: [String: [Row]] = [:]
        for resource in resources {
            var made: [Row] = []
            for number in 1...random.int(1...max(1, size * 2)) {
                var row = Row()
                row["id"] = .integer(Int64(number))
                if resource.key.count == 2 { row["part"] = .integer(Int64(random.int(1...2))) }
                row["v"] = .text(random.pick(["a", "b", "c"]))
                if made.contains(where: { $0.key(in: resource) == row.key(in: resource) }) { continue }
                made.append(row)
            }
            rows[resource.name] = made
        }
        for relationship in relationships {
            let child = resources.first { $0.name == relationship.child }!
            let parents = rows[relationship.parent]!
            let required = child.column(named: relationship.columns[0])!.required
            for index in rows[relationship.child]!.indices {
                let pointed = required || random.chance(60)
                let parent = random.pick(parents)
                for (column, keyColumn) in zip(relationship.columns, resources.first { $0.name == relationship.parent }!.key) {
                    rows[relationship.child]![index][column] = pointed ? parent[keyColumn] : .null
                }
            }
        }
        for resource in resources where resource.softDelete != nil {
            for index in rows[resource.name]!.indices {
                rows[resource.name]![index][Self.trashColumn] = trashRandom.chance(40) ? Self.earlierMark : .null
            }
        }
        if trash { Self.keepTheTrashConsistent(&rows, resources: resources, relationships: relationships) }
        self.rows = rows
        let addressed = random.pick(resources)
        resource = addressed.name
        func precondition(for row: Row?) -> Precondition {
            switch random.int(0...5) {
            case 0, 1: .none
            case 2, 3: row.map { .checksum(Checksum.of($0, in: addressed)) } ?? .none
            case 4: .checksum("A:0000000000000000")
            default: .override
            }
        }
        func targets() -> [(Key, Precondition)] {
            let existing = rows[addressed.name]!
            var targets: [(Key, Precondition)] = []
            for _ in 0..<random.int(1...max(1, size)) {
                if random.chance(85), !existing.isEmpty {
                    let row = random.pick(existing)
                    targets.append((row.key(in: addressed), precondition(for: row)))
                } else {
                    let missing = Key(addressed.key.map { _ in Value.integer(Int64(random.int(90...99))) })
                    targets.append((missing, precondition(for: nil)))
                }
            }
            return targets
        }
        switch random.int(0...11) {
        case 0: selection = .everyRow(random.chance(50) ? .override : .none)
        case 1: selection = .textEquals(random.pick(["a", "b"]), random.chance(50) ? .override : .none)
        case 10, 11: selection = .batch(targets())
        default: selection = .keys(targets())
        }
        options = DeleteOptions(
            ignoreMissing: random.chance(30), handling: random.chance(50) ? .strict : .lenient, dryRun: false,
            maxAffected: random.chance(15) ? random.int(0...3) : nil, summaryLimit: 100_000)
        // Drawn last, so that the rest of a seed's scenario is what it was before access existed.
        if random.chance(40) {
            var grants: [String: Set<Action>] = [:]
            var policies: [String: String] = [:]
            for resource in resources {
                // Purge aside: it came later, and the draws of a seed stay what they were.
                grants[resource.name] = Set(Action.allCases.filter { $0 != .purge && random.chance(resource.name == addressed.name ? 75 : 65) })
                if trash, trashRandom.chance(70) { grants[resource.name]?.insert(.purge) }
                if random.chance(30) { policies[resource.name] = random.pick(["a", "b"]) }
            }
            access = ModelAccess(
                grants: grants, deletePolicies: policies, tag: random.pick(["a", "b"]),
                maxRowsPerRequest: random.chance(25) ? random.int(0...6) : nil)
        }
        if trash { drawPurge(&trashRandom) }
    }

    /// Makes the rows a state the API can reach: no live row names a parent in the trash
    /// through a cascade or restrict relationship (a set-null child may). First the trash goes
    /// down (a live child with a trash joins its parent there), then what is left comes back
    /// up (a parent whose live child has no trash leaves the trash); each step only ever moves
    /// rows one way, so both end.
    static func keepTheTrashConsistent(_ rows: inout [String: [Row]], resources: [Resource], relationships: [Relationship]) {
        let held = relationships.filter { $0.onDelete != .setNull }
        func parentIndex(of row: Row, through relationship: Relationship) -> Int? {
            let parent = resources.first { $0.name == relationship.parent }!
            let values = row.values(of: relationship.columns)
            guard !values.contains(where: \.isNull) else { return nil }
            return rows[parent.name]!.firstIndex { $0.values(of: parent.key) == values }
        }
        func trashed(_ row: Row) -> Bool { !row[trashColumn].isNull }
        var changed = true
        while changed {
            changed = false
            for relationship in held where resources.first(where: { $0.name == relationship.child })!.softDelete != nil {
                for index in rows[relationship.child]!.indices where !trashed(rows[relationship.child]![index]) {
                    guard let parent = parentIndex(of: rows[relationship.child]![index], through: relationship),
                        trashed(rows[relationship.parent]![parent])
                    else { continue }
                    rows[relationship.child]![index][trashColumn] = earlierMark
                    changed = true
                }
            }
        }
        changed = true
        while changed {
            changed = false
            for relationship in held {
                for row in rows[relationship.child]! where !trashed(row) {
                    guard let parent = parentIndex(of: row, through: relationship), trashed(rows[relationship.parent]![parent]) else { continue }
                    rows[relationship.parent]![parent][trashColumn] = .null
                    changed = true
                }
            }
        }
    }

    /// Sets `purge` on a delete (not a batch) of a resource with a trash, now and then.
    mutating func drawPurge(_ random: inout Random) {
        guard resources.first(where: { $0.name == resource })?.softDelete != nil else { return }
        if case .batch = selection { return }
        options.purge = random.chance(50)
    }

    /// The caller's access, when the scenario has one: an unrestricted caller otherwise.
    var access: ModelAccess?

    var model: DeleteModel {
        var tables: [String: [Key: Row]] = [:]
        for resource in resources {
            tables[resource.name] = Dictionary(uniqueKeysWithValues: rows[resource.name]!.map { ($0.key(in: resource), $0) })
        }
        return DeleteModel(resources: resources, relationships: relationships, tables: tables, access: access)
    }

    var description: String {
        var lines = resources.map {
            "resource \($0.name) key \($0.key) locking \($0.optimisticLocking.rawValue) columns \($0.columnNames)"
                + ($0.softDelete.map { " softDelete \($0.column)" } ?? "")
        }
        lines += relationships.map { "relationship \($0.parent) -> \($0.child) on \($0.columns) \($0.onDelete.rawValue)" }
        for resource in resources {
            lines += rows[resource.name]!.map { row in
                "row \(resource.name) " + resource.stored.columnNames.map { "\($0)=\(row[$0])" }.joined(separator: " ")
            }
        }
        switch selection {
        case .keys(let keys): lines.append("delete \(resource) keys \(keys.map { "\($0.0) \($0.1)" })")
        case .textEquals(let text, let precondition): lines.append("delete \(resource) where v = \(text) \(precondition)")
        case .everyRow(let precondition): lines.append("delete every \(resource) \(precondition)")
        case .batch(let operations): lines.append("batch of deletes of \(resource): \(operations.map { "\($0.0) \($0.1)" })")
        }
        lines.append(
            "options \(options.handling) ignoreMissing \(options.ignoreMissing) maxAffected \(String(describing: options.maxAffected))"
                + (options.purge ? " purge" : ""))
        if let access {
            lines.append("access grants \(access.grants.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.map(\.rawValue).sorted())" }) delete policies (v = tag) \(access.deletePolicies) tag \(access.tag) maxRowsPerRequest \(String(describing: access.maxRowsPerRequest))")
        }
        return lines.joined(separator: "\n")
    }
}

/// One role of a scenario: actions per resource, delete policies `v = tag` (the caller's
/// claim) on some resources, and perhaps a row budget per request.
struct ModelAccess {
    var grants: [String: Set<Action>]
    /// Resources whose rows the caller may delete only where `v` equals its `tag` claim (the
    /// value here is only shown; the claim is ``tag``).
    var deletePolicies: [String: String]
    var tag: String
    var maxRowsPerRequest: Int?

    func allows(_ action: Action, on resource: String) -> Bool { grants[resource]?.contains(action) == true }

    func mayDelete(_ row: Row, of resource: String) -> Bool {
        deletePolicies[resource] == nil || row["v"] == .text(tag)
    }

    /// The engine's view of it.
    var engineAccess: Access {
        let policies = deletePolicies.keys.sorted().map { name in
            RowPolicy(name: "tagged-\(name)", resource: name, actions: [.delete], conditions: [PolicyCondition(column: "v", operand: .claim("tag"))])
        }
        let role = Role(name: "r", grants: grants, policies: policies, maxRowsPerRequest: maxRowsPerRequest)
        return .principal(Principal(name: "model", roles: ["r"], claims: ["tag": [.text(tag)]]), AccessRules(roles: ["r": role]))
    }
}

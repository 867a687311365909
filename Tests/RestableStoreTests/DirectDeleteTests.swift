import Foundation
import Logging
import RestableCore
import RestableSQLite
import RestableTestSupport
import Synchronization
import Testing

/// Deletes by key of a resource that nothing depends on (Engine+DirectDelete.swift): each chunk
/// of keys is checked and deleted by one statement rather than read, planned and applied.
///
/// Every request runs on two stores that hold the same rows. In the first nothing depends on the
/// addressed resource, so the engine deletes directly; in the second an empty `pin` resource
/// restricts it, so the same request is gathered, planned and applied. Both outcomes must be
/// what DELETE-SEMANTICS.md says (``expected(_:before:targets:options:failureLimit:summaryLimit:budget:visible:)``
/// states it for a resource without dependents), failure for failure and summary row for
/// summary row, and both databases must then hold the rows the rules leave. The direct store
/// records what it was asked, to show that the direct path (and which of its branches) ran.
@Suite struct DirectDeleteTests {
    // MARK: The schema

    static let item = Resource(
        name: "item", key: ["id"],
        columns: [
            Column(name: "id", type: .integer), Column(name: "label", type: .text), Column(name: "price", type: .decimal),
            Column(name: "weight", type: .real), Column(name: "active", type: .boolean), Column(name: "at", type: .timestamp),
        ])
    static let locked = Resource(
        name: "locked", key: ["id"], columns: [Column(name: "id", type: .integer), Column(name: "label", type: .text)],
        optimisticLocking: .required)
    static let loose = Resource(
        name: "loose", key: ["id"], columns: [Column(name: "id", type: .integer), Column(name: "label", type: .text)],
        optimisticLocking: .off)
    static let cell = Resource(
        name: "cell", key: ["x", "y"],
        columns: [Column(name: "x", type: .integer), Column(name: "y", type: .integer), Column(name: "label", type: .text)])
    /// Only in the planned store, always empty: it makes every other resource a parent.
    static let pin = Resource(
        name: "pin", key: ["id"],
        columns: [
            Column(name: "id", type: .integer), Column(name: "item_id", type: .integer), Column(name: "locked_id", type: .integer),
            Column(name: "loose_id", type: .integer), Column(name: "cell_x", type: .integer), Column(name: "cell_y", type: .integer),
        ])
    static let directSchema = Schema(resources: [item, locked, loose, cell])
    static let plannedSchema = Schema(
        resources: [item, locked, loose, cell, pin],
        relationships: [
            Relationship(parent: "item", child: "pin", columns: ["item_id"], onDelete: .restrict),
            Relationship(parent: "locked", child: "pin", columns: ["locked_id"], onDelete: .restrict),
            Relationship(parent: "loose", child: "pin", columns: ["loose_id"], onDelete: .restrict),
            Relationship(parent: "cell", child: "pin", columns: ["cell_x", "cell_y"], onDelete: .restrict),
        ])

    static let wrong = Precondition.checksum("A:0000000000000000")
    /// The engine's chunk of keys (`Self.chunkSize`, internal).
    static let chunkSize = 5_000

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func key(_ parts: Int64...) -> Key { Key(parts.map { .integer($0) }) }

    typealias Target = (key: Key, precondition: Precondition)

    static func targets(_ ids: some Sequence<Int64>, _ precondition: Precondition = .none) -> [Target] {
        ids.map { (key($0), precondition) }
    }

    /// The rows each resource starts with.
    struct Seed {
        var item: [Int64] = []
        var locked: [Int64] = []
        var loose: [Int64] = []
        var cell: [(Int64, Int64)] = []

        var operations: [BatchOperation] {
            var operations: [BatchOperation] = []
            for id in item {
                operations.append(
                    .insert(
                        resource: "item",
                        values: [
                            "id": .integer(id), "label": .text("item \(id)"), "price": .decimal(DecimalNumber("\(id).25")!),
                            "weight": .real(Double(id) / 8), "active": .boolean(id % 2 == 0),
                            "at": .text("2026-01-\(Self.padded(1 + id % 28, 2))T03:04:05.\(Self.padded(id % 1_000_000, 6))Z"),
                        ]))
            }
            for id in locked { operations.append(.insert(resource: "locked", values: ["id": .integer(id), "label": .text("locked \(id)")])) }
            for id in loose { operations.append(.insert(resource: "loose", values: ["id": .integer(id), "label": .text("loose \(id)")])) }
            for (x, y) in cell {
                operations.append(.insert(resource: "cell", values: ["x": .integer(x), "y": .integer(y), "label": .text("cell \(x),\(y)")]))
            }
            return operations
        }

        /// The same rows as ``operations``, as one `INSERT` a table: on PostgreSQL, inserting
        /// ten thousand rows one operation at a time would take most of a test's time.
        var postgresScript: [String] {
            func list(_ ids: [Int64]) -> String { "'{" + ids.map(String.init).joined(separator: ",") + "}'::bigint[]" }
            var scripts: [String] = []
            if !item.isEmpty {
                scripts.append(
                    """
                    INSERT INTO item (id, label, price, weight, active, at)
                    SELECT g, 'item ' || g, (g || '.25')::numeric, g / 8.0, g % 2 = 0,
                      ('2026-01-' || lpad((1 + g % 28)::text, 2, '0') || 'T03:04:05.' || lpad((g % 1000000)::text, 6, '0') || 'Z')::timestamptz
                    FROM unnest(\(list(item))) AS g
                    """)
            }
            if !locked.isEmpty { scripts.append("INSERT INTO locked (id, label) SELECT g, 'locked ' || g FROM unnest(\(list(locked))) AS g") }
            if !loose.isEmpty { scripts.append("INSERT INTO loose (id, label) SELECT g, 'loose ' || g FROM unnest(\(list(loose))) AS g") }
            if !cell.isEmpty {
                scripts.append(
                    "INSERT INTO cell (x, y, label) SELECT x, y, 'cell ' || x || ',' || y FROM unnest(\(list(cell.map(\.0))), \(list(cell.map(\.1)))) AS c(x, y)")
            }
            return scripts
        }

        static func padded(_ number: Int64, _ width: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }

    // MARK: Two stores with the same rows

    struct Fixture {
        /// Nothing depends on any of its resources: deletes by key go straight to the database.
        var direct: Engine
        /// The same rows, every resource restricted by an empty `pin`: deletes are planned.
        var planned: Engine
        var calls: StoreCalls
        var stores: [any Store]
        var folders: [URL]

        func close() async {
            for store in stores { await store.close() }
            for folder in folders { try? FileManager.default.removeItem(at: folder) }
        }
    }

    /// Two empty stores of `kind`; on PostgreSQL their scratch schemas are taken together.
    static func stores(_ kind: StoreKind) async throws -> (any Store, URL?, any Store, URL?) {
        if kind == .postgres {
            let (first, second) = try await ScratchPostgresStore.createPair(logger: logger)
            return (first, nil, second, nil)
        }
        let (first, firstFolder) = try await store(kind)
        let (second, secondFolder) = try await store(kind)
        return (first, firstFolder, second, secondFolder)
    }

    static func store(_ kind: StoreKind) async throws -> (any Store, URL?) {
        switch kind {
        case .sqliteMemory:
            return (try SQLiteStore(.memory, logger: logger), nil)
        case .sqliteFile:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-direct-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return (try SQLiteStore(.file(folder.appendingPathComponent("direct.sqlite").path), logger: logger), folder)
        case .postgres:
            return (try await ScratchPostgresStore.create(logger: logger), nil)
        }
    }

    /// Two fresh stores of `kind` holding `seed`; `summaryLimit` is the engines' (it also caps
    /// the list of failures).
    static func open(_ kind: StoreKind, _ seed: Seed, summaryLimit: Int = Engine.defaultSummaryLimit) async throws -> Fixture {
        let calls = StoreCalls()
        let (directBase, directFolder, plannedStore, plannedFolder) = try await stores(kind)
        let directStore = RecordingStore(base: directBase, calls: calls)
        _ = try await directStore.prepare(directSchema, seed: [])
        _ = try await plannedStore.prepare(plannedSchema, seed: [])
        let direct = Engine(schema: directSchema, store: directStore, summaryLimit: summaryLimit, logger: logger)
        let planned = Engine(schema: plannedSchema, store: plannedStore, summaryLimit: summaryLimit, logger: logger)
        let operations = seed.operations
        if let scratches = [directBase, plannedStore] as? [ScratchPostgresStore] {
            for script in seed.postgresScript {
                for scratch in scratches { try await scratch.scratch.execute(script) }
            }
        } else if !operations.isEmpty {
            for engine in [direct, planned] {
                let loaded = try await engine.batch(BatchRequest(operations: operations, options: DeleteOptions(summaryLimit: 0)))
                #expect(loaded.succeeded == operations.count)
            }
        }
        return Fixture(
            direct: direct, planned: planned, calls: calls, stores: [directStore, plannedStore], folders: [directFolder, plannedFolder].compactMap { $0 })
    }

    static func with(_ kind: StoreKind, _ seed: Seed, summaryLimit: Int = Engine.defaultSummaryLimit, _ body: (Fixture) async throws -> Void) async throws {
        let fixture = try await open(kind, seed, summaryLimit: summaryLimit)
        do {
            try await body(fixture)
        } catch {
            await fixture.close()
            throw error
        }
        await fixture.close()
    }

    static func rows(_ engine: Engine, _ resource: Resource) async throws -> [Key: Row] {
        let rows = try await engine.list(ListRequest(resource: resource.name))
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.key(in: resource), $0) })
    }

    // MARK: What the rules say

    /// An outcome in comparable form: failures as `index key code`, changes as
    /// `verb resource key checksum`, counts as `resource verb count`; or the refusal of the
    /// whole request as `code count`.
    struct Observed: Equatable {
        var refusal: String?
        var kind: OutcomeKind?
        var failures: [String] = []
        var failureCount = 0
        var changes: [String] = []
        var truncated = false
        var counts: [String] = []
        var succeeded = 0
        var dryRun = false

        init(refusal: String) {
            self.refusal = refusal
        }

        init(
            kind: OutcomeKind, failures: [String], failureCount: Int, changes: [String] = [], truncated: Bool = false, counts: [String] = [],
            succeeded: Int = 0, dryRun: Bool
        ) {
            self.kind = kind
            self.failures = failures
            self.failureCount = failureCount
            self.changes = changes
            self.truncated = truncated
            self.counts = counts
            self.succeeded = succeeded
            self.dryRun = dryRun
        }

        init(_ outcome: ChangeOutcome) {
            kind = outcome.kind
            failures = outcome.failures.map { "\($0.index.map(String.init) ?? "-") \($0.key?.description ?? "-") \($0.error.code)" }
            failureCount = outcome.failureCount
            changes = outcome.changes.map { "\($0.verb.rawValue) \($0.resource) \($0.key) \($0.checksum)" }
            truncated = outcome.truncated
            counts = outcome.counts.resources.flatMap { resource in
                outcome.counts.verbs(of: resource).map { "\(resource) \($0.0.rawValue) \($0.1)" }
            }
            succeeded = outcome.succeeded
            dryRun = outcome.dryRun
        }

        /// The first way in which this outcome differs from `other`, shortly; nil when equal.
        func difference(from other: Observed) -> String? {
            if refusal != other.refusal { return "refusal \(refusal ?? "none") against \(other.refusal ?? "none")" }
            if kind != other.kind { return "kind \(kind.map { "\($0)" } ?? "-") against \(other.kind.map { "\($0)" } ?? "-")" }
            if failureCount != other.failureCount { return "failureCount \(failureCount) against \(other.failureCount)" }
            if let first = Self.difference(failures, other.failures) { return "failures: \(first)" }
            if let first = Self.difference(changes, other.changes) { return "changes: \(first)" }
            if truncated != other.truncated { return "truncated \(truncated) against \(other.truncated)" }
            if counts != other.counts { return "counts \(counts) against \(other.counts)" }
            if succeeded != other.succeeded { return "succeeded \(succeeded) against \(other.succeeded)" }
            if dryRun != other.dryRun { return "dryRun \(dryRun) against \(other.dryRun)" }
            return nil
        }

        static func difference(_ a: [String], _ b: [String]) -> String? {
            guard a != b else { return nil }
            let index = (0..<max(a.count, b.count)).first { $0 >= a.count || $0 >= b.count || a[$0] != b[$0] }!
            return "\(a.count) against \(b.count) entries, first difference at \(index): "
                + "\(index < a.count ? a[index] : "nothing") against \(index < b.count ? b[index] : "nothing")"
        }
    }

    /// Keys of integers in key order (column by column), as the summary lists them.
    static func precedes(_ a: Key, _ b: Key) -> Bool {
        let x = a.values.map { value -> Int64 in if case .integer(let v) = value { v } else { .min } }
        let y = b.values.map { value -> Int64 in if case .integer(let v) = value { v } else { .min } }
        return x.lexicographicallyPrecedes(y)
    }

    /// DELETE-SEMANTICS.md for a delete by keys of a resource that nothing depends on (its
    /// closure is its targets): each key counts at its first position only; a key without a
    /// row the caller can see is `notFound` (nothing with ignore-missing); a present row is
    /// refused for a wrong checksum (`checksumMismatch`) or, under required locking, for none
    /// (`checksumRequired`), unless locking is off or the target overrides it. Strict: any
    /// failure and nothing goes (`none`). A request whose rows that go exceed the caller's
    /// budget (`overBudget`) or max-affected (`tooManyAffected`) is refused as a whole. The
    /// summary lists the first `summaryLimit` rows that go in key order, with the checksums of
    /// their rows before; the failures list the first `failureLimit` in request order.
    /// Returns the outcome and the keys deleted.
    static func expected(
        _ resource: Resource, before: [Key: Row], targets: [Target], options: DeleteOptions, failureLimit: Int = Engine.defaultSummaryLimit,
        summaryLimit: Int, budget: Int? = nil, visible: (Row) -> Bool = { _ in true }
    ) -> (Observed, Set<Key>) {
        var seen = Set<Key>()
        var failures: [String] = []
        var going: [Key] = []
        for (index, target) in targets.enumerated() {
            guard seen.insert(target.key).inserted else { continue }
            guard let row = before[target.key], visible(row) else {
                if !options.ignoreMissing { failures.append("\(index) \(target.key) notFound") }
                continue
            }
            switch (target.precondition, resource.optimisticLocking) {
            case (_, .off), (.override, _), (.none, .optional):
                going.append(target.key)
            case (.none, .required):
                failures.append("\(index) \(target.key) checksumRequired")
            case (.checksum(let given), _):
                if given == Checksum.of(row, in: resource) {
                    going.append(target.key)
                } else {
                    failures.append("\(index) \(target.key) checksumMismatch")
                }
            }
        }
        let listed = Array(failures.prefix(max(1, failureLimit)))
        if going.isEmpty || (options.handling == .strict && !failures.isEmpty) {
            return (
                Observed(kind: failures.isEmpty ? .all : .none, failures: listed, failureCount: failures.count, dryRun: options.dryRun), []
            )
        }
        if let budget, going.count > budget { return (Observed(refusal: "overBudget \(going.count)"), []) }
        if let max = options.maxAffected, going.count > max { return (Observed(refusal: "tooManyAffected \(going.count)"), []) }
        let summary = going.sorted(by: precedes).prefix(max(0, summaryLimit)).map { key in
            "DELETE \(resource.name) \(key) \(Checksum.of(before[key]!, in: resource))"
        }
        let outcome = Observed(
            kind: failures.isEmpty ? .all : .partial, failures: listed, failureCount: failures.count, changes: summary,
            truncated: going.count > summary.count, counts: ["\(resource.name) DELETE \(going.count)"], succeeded: going.count,
            dryRun: options.dryRun)
        return (outcome, options.dryRun ? [] : Set(going))
    }

    // MARK: Running a request on both stores

    /// What one request did on the direct store.
    struct Checked {
        var observed: Observed
        var outcome: ChangeOutcome?
        /// What the direct store was asked while it ran.
        var calls: [String]
        /// The rows before.
        var before: [Key: Row]
    }

    static func run(_ engine: Engine, _ resource: Resource, _ targets: [Target], _ options: DeleteOptions) async throws -> (Observed, ChangeOutcome?) {
        let selection = DeleteSelection.keys(KeyList(targets.map { KeyedTarget(key: .values($0.key.values), precondition: $0.precondition) }))
        do {
            let outcome = try await engine.deleteMany(BulkDeleteRequest(resource: resource.name, selection: selection, options: options))
            return (Observed(outcome), outcome)
        } catch {
            guard error.code == .tooManyAffected || error.code == .overBudget else { throw error }
            return (Observed(refusal: "\(error.code) \(error.count.map(String.init) ?? "-")"), nil)
        }
    }

    /// The first way in which two tables differ, shortly; nil when equal.
    static func difference(_ a: [Key: Row], _ b: [Key: Row]) -> String? {
        guard a != b else { return nil }
        if let key = a.keys.sorted(by: precedes).first(where: { b[$0] == nil }) { return "\(a.count) against \(b.count) rows; \(key) only in the first" }
        if let key = b.keys.sorted(by: precedes).first(where: { a[$0] == nil }) { return "\(a.count) against \(b.count) rows; \(key) only in the second" }
        let key = a.keys.sorted(by: precedes).first { a[$0] != b[$0] }!
        return "row \(key) differs"
    }

    /// Runs the request on both stores (as `access` when given), and checks that each outcome
    /// is the one the rules give and that each database holds the rows they leave.
    @discardableResult
    static func check(
        _ fixture: Fixture, _ resource: Resource, _ targets: [Target], _ options: DeleteOptions = DeleteOptions(), access: Access? = nil,
        budget: Int? = nil, visible: (Row) -> Bool = { _ in true }, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Checked {
        let before = try await rows(fixture.direct, resource)
        #expect(difference(try await rows(fixture.planned, resource), before) == nil, "the two stores start apart", sourceLocation: sourceLocation)
        let failureLimit = fixture.direct.summaryLimit
        let (expected, gone) = expected(
            resource, before: before, targets: targets, options: options, failureLimit: failureLimit,
            summaryLimit: options.summaryLimit ?? fixture.direct.summaryLimit, budget: budget, visible: visible)
        let direct = access.map { fixture.direct.acting(as: $0) } ?? fixture.direct
        let planned = access.map { fixture.planned.acting(as: $0) } ?? fixture.planned
        fixture.calls.clear()
        let (directObserved, directOutcome) = try await run(direct, resource, targets, options)
        let calls = fixture.calls.all
        let (plannedObserved, _) = try await run(planned, resource, targets, options)
        #expect(directObserved.difference(from: plannedObserved) == nil, "the direct and the planned path disagree", sourceLocation: sourceLocation)
        #expect(directObserved.difference(from: expected) == nil, "the direct path and the rules disagree", sourceLocation: sourceLocation)
        #expect(plannedObserved.difference(from: expected) == nil, "the planned path and the rules disagree", sourceLocation: sourceLocation)
        let left = before.filter { !gone.contains($0.key) }
        #expect(difference(try await rows(fixture.direct, resource), left) == nil, "the direct store holds other rows", sourceLocation: sourceLocation)
        #expect(difference(try await rows(fixture.planned, resource), left) == nil, "the planned store holds other rows", sourceLocation: sourceLocation)
        return Checked(observed: directObserved, outcome: directOutcome, calls: calls, before: before)
    }

    /// The calls of a direct delete of `resource`: never a read of its rows unless a
    /// precondition needs them.
    static func reads(_ calls: [String], _ resource: Resource) -> Bool {
        calls.contains("select \(resource.name)")
    }

    /// The keys of the summary's rows, as text.
    static func keys(_ observed: Observed) -> [String] {
        observed.changes.map { String($0.split(separator: " ")[2]) }
    }

    /// The codes of the failures listed.
    static func codes(_ observed: Observed) -> Set<String> {
        Set(observed.failures.map { String($0.split(separator: " ")[2]) })
    }

    static func id(_ key: Key) -> Int64 {
        if case .integer(let id) = key.values[0] { return id }
        return .min
    }

    static func deletesReturningEveryColumn(_ resource: Resource) -> String {
        "delete \(resource.name) returning \(resource.columns.map(\.name).joined(separator: ","))"
    }

    // MARK: (1) Chunks where only some keys exist

    /// Rows 1...13,000 but every seventh; the request names 1...5,000 (a chunk with some rows
    /// missing), then 5,000 keys that all exist, then 5,000 that do not, then the rest up to
    /// 12,000 (some missing again). Rows past 12,000 are not named.
    static func severalChunks() -> (seed: Seed, ids: [Int64], present: Set<Int64>) {
        let present = (1...13_000).filter { $0 % 7 != 0 }.map(Int64.init)
        var ids = Array(Int64(1)...5_000)
        let whole = present.filter { $0 > 5_000 }.prefix(5_000)
        ids += whole
        ids += Array(Int64(50_001)...55_000)
        ids += Array((whole.last! + 1)...12_000)
        return (Seed(item: present), ids, Set(present))
    }

    @Test(arguments: StoreKind.available, [0, 5, 100_000])
    func chunksWithSomeKeysMissingListEveryFailureInRequestOrder(kind: StoreKind, summaryLimit: Int) async throws {
        let (seed, ids, present) = Self.severalChunks()
        let lastWhole = ids[9_999]
        try await Self.with(kind, seed, summaryLimit: 100_000) { fixture in
            let missing = ids.enumerated().filter { !present.contains($0.element) }
            #expect(ids.count > 3 * Self.chunkSize)

            let strict = try await Self.check(fixture, Self.item, Self.targets(ids), DeleteOptions(summaryLimit: summaryLimit))
            #expect(strict.observed.kind == OutcomeKind.none)
            #expect(strict.observed.failureCount == missing.count)
            #expect(strict.observed.failures.count == missing.count)
            #expect(strict.observed.failures.first == "6 7 notFound")
            #expect(strict.observed.failures.contains("10000 50001 notFound"))
            let lastMissing = (1...12_000).last { $0 % 7 == 0 }!
            let lastIndex = 15_000 + (lastMissing - Int(lastWhole) - 1)
            #expect(strict.observed.failures.last == "\(lastIndex) \(lastMissing) notFound")
            #expect(strict.observed.changes.isEmpty && strict.observed.counts.isEmpty && strict.observed.succeeded == 0)
            #expect(try await Self.rows(fixture.direct, Self.item).count == present.count)

            let lenient = try await Self.check(fixture, Self.item, Self.targets(ids), DeleteOptions(handling: .lenient, summaryLimit: summaryLimit))
            let named = ids.filter { present.contains($0) }.count
            #expect(lenient.observed.kind == .partial)
            #expect(lenient.observed.succeeded == named)
            #expect(lenient.observed.counts == ["item DELETE \(named)"])
            #expect(lenient.observed.failures == strict.observed.failures)
            #expect(lenient.observed.changes.count == min(summaryLimit, named))
            #expect(lenient.observed.truncated == (summaryLimit < named))
            #expect(Array(Self.keys(lenient.observed).prefix(2)) == Array(["1", "2"].prefix(summaryLimit)))
            let left = try await Self.rows(fixture.direct, Self.item).keys.sorted(by: Self.precedes)
            let unnamed: [Key] = (Int64(12_001)...13_000).filter { $0 % 7 != 0 }.map { Self.key($0) }
            #expect(left == unnamed)

            // The direct path ran: no row was read; with no summary wanted, the chunks with some
            // rows missing were undone and deleted again naming the keys that went.
            #expect(!Self.reads(lenient.calls, Self.item))
            if summaryLimit == 0 {
                #expect(lenient.calls.filter { $0 == "savepoint undone" }.count == 2)
                #expect(lenient.calls.contains("delete item returning id"))
                #expect(!lenient.calls.contains(Self.deletesReturningEveryColumn(Self.item)))
            } else {
                #expect(!lenient.calls.contains("savepoint"))
                #expect(lenient.calls.allSatisfy { $0 == Self.deletesReturningEveryColumn(Self.item) })
            }
        }
    }

    /// The failures listed stop at the engine's limit, the first ones in request order, while
    /// the count covers all of them.
    @Test(arguments: StoreKind.available)
    func theFailureListIsCappedInRequestOrderAndTheCountIsComplete(kind: StoreKind) async throws {
        let odd = Array(stride(from: Int64(1), through: 12_000, by: 2))
        try await Self.with(kind, Seed(item: odd)) { fixture in
            let ids = Array(Int64(1)...12_000)
            for handling in [FailureHandling.strict, .lenient] {
                let checked = try await Self.check(fixture, Self.item, Self.targets(ids), DeleteOptions(handling: handling, dryRun: true, summaryLimit: 0))
                #expect(checked.observed.failureCount == 6_000)
                #expect(checked.observed.failures.count == Engine.defaultSummaryLimit)
                #expect(checked.observed.failures.first == "1 2 notFound")
                #expect(checked.observed.failures.last == "1999 2000 notFound")
                #expect(checked.observed.kind == (handling == .strict ? OutcomeKind.none : .partial))
            }
        }
    }

    // MARK: (2) Repeated keys

    @Test(arguments: StoreKind.available, [FailureHandling.strict, .lenient])
    func aRepeatedKeyCountsOnlyAtItsFirstOccurrence(kind: StoreKind, handling: FailureHandling) async throws {
        try await Self.with(kind, Seed(item: Array(1...10), locked: Array(1...10))) { fixture in
            let items = try await Self.rows(fixture.direct, Self.item)
            func right(_ id: Int64) -> Precondition { .checksum(Checksum.of(items[Self.key(id)]!, in: Self.item)) }
            let targets: [Target] = [
                (Self.key(1), right(1)),
                (Self.key(3), .none),
                (Self.key(1), Self.wrong),  // a repeat with a wrong checksum: ignored
                (Self.key(5), Self.wrong),  // refused
                (Self.key(5), right(5)),  // a repeat of a refused key: ignored, 5 stays
                (Self.key(3), Self.wrong),
                (Self.key(99), .none),  // missing, listed once
                (Self.key(99), right(1)),
                (Self.key(7), .override),
                (Self.key(7), Self.wrong),
            ]
            let checked = try await Self.check(fixture, Self.item, targets, DeleteOptions(handling: handling))
            #expect(checked.observed.failures == ["3 5 checksumMismatch", "6 99 notFound"])
            let left = try await Self.rows(fixture.direct, Self.item).keys.sorted(by: Self.precedes)
            if handling == .lenient {
                #expect(checked.observed.kind == .partial)
                #expect(checked.observed.succeeded == 3)
                #expect(Self.keys(checked.observed) == ["1", "3", "7"])
                #expect(left == [2, 4, 5, 6, 8, 9, 10].map { Self.key($0) })
            } else {
                #expect(checked.observed.kind == OutcomeKind.none)
                #expect(left.count == 10)
            }

            let lockedRows = try await Self.rows(fixture.direct, Self.locked)
            func lockedRight(_ id: Int64) -> Precondition { .checksum(Checksum.of(lockedRows[Self.key(id)]!, in: Self.locked)) }
            let required: [Target] = [
                (Self.key(2), .none),  // refused: required locking
                (Self.key(2), lockedRight(2)),  // a repeat: ignored, 2 stays
                (Self.key(4), lockedRight(4)),
                (Self.key(4), .none),
                (Self.key(6), .override),
                (Self.key(6), Self.wrong),
            ]
            let lockedChecked = try await Self.check(fixture, Self.locked, required, DeleteOptions(handling: handling))
            #expect(lockedChecked.observed.failures == ["0 2 checksumRequired"])
            #expect(lockedChecked.observed.succeeded == (handling == .lenient ? 2 : 0))
        }
    }

    /// A repeat in a later chunk than its first occurrence is still a repeat.
    @Test(arguments: StoreKind.available)
    func aRepeatInALaterChunkIsIgnored(kind: StoreKind) async throws {
        try await Self.with(kind, Seed(item: Array(1...6_000))) { fixture in
            let rows = try await Self.rows(fixture.direct, Self.item)
            let right = Precondition.checksum(Checksum.of(rows[Self.key(3)]!, in: Self.item))
            // 3 is refused at 0 and named again, rightly, at 5,500; 4 goes at 1 and is named
            // again, wrongly, at 5,501.
            var targets: [Target] = [(Self.key(3), Self.wrong), (Self.key(4), .none)]
            targets += Self.targets(Int64(10)...5_507)
            targets += [(Self.key(3), right), (Self.key(4), Self.wrong)]
            targets += Self.targets(Int64(5_508)...6_000)
            for summaryLimit in [0, 10] {
                let checked = try await Self.check(
                    fixture, Self.item, targets, DeleteOptions(handling: .lenient, dryRun: true, summaryLimit: summaryLimit))
                #expect(checked.observed.failures == ["0 3 checksumMismatch"])
                #expect(checked.observed.succeeded == 5_992)
            }
            let checked = try await Self.check(fixture, Self.item, targets, DeleteOptions(handling: .lenient))
            #expect(try await Self.rows(fixture.direct, Self.item).keys.sorted(by: Self.precedes) == [1, 2, 3, 5, 6, 7, 8, 9].map { Self.key($0) })
            #expect(checked.observed.changes.first?.hasPrefix("DELETE item 4 ") == true)
        }
    }

    // MARK: (3) Mixed preconditions

    /// Rows 1...6,000 of each locking mode; the request names 1...6,500: every fifth with a
    /// wrong checksum, else every third with the right one (a made-up one past 6,000), else
    /// every eleventh overriding, else nothing.
    @Test(arguments: StoreKind.available, [0, 10])
    func mixedPreconditionsInOneRequest(kind: StoreKind, summaryLimit: Int) async throws {
        let ids = Array(Int64(1)...6_000)
        try await Self.with(kind, Seed(item: ids, locked: ids, loose: ids), summaryLimit: 100_000) { fixture in
            for resource in [Self.item, Self.locked, Self.loose] {
                let rows = try await Self.rows(fixture.direct, resource)
                let targets: [Target] = (Int64(1)...6_500).map { id in
                    let key = Self.key(id)
                    if id % 5 == 0 { return (key, Self.wrong) }
                    if id % 3 == 0 { return (key, .checksum(rows[key].map { Checksum.of($0, in: resource) } ?? "A:1111111111111111")) }
                    if id % 11 == 0 { return (key, .override) }
                    return (key, .none)
                }
                let strict = try await Self.check(fixture, resource, targets, DeleteOptions(summaryLimit: summaryLimit))
                #expect(strict.observed.kind == OutcomeKind.none)
                switch resource.optimisticLocking {
                case .optional:
                    #expect(Self.codes(strict.observed) == ["checksumMismatch", "notFound"])
                    #expect(strict.observed.failures.first == "4 5 checksumMismatch")
                case .required:
                    #expect(Self.codes(strict.observed) == ["checksumMismatch", "checksumRequired", "notFound"])
                    #expect(strict.observed.failures.first == "0 1 checksumRequired")
                case .off:
                    #expect(Self.codes(strict.observed) == ["notFound"])
                    #expect(strict.observed.failures.first == "6000 6001 notFound")
                }
                // Rows that need a check were read first; the others were not.
                #expect(Self.reads(strict.calls, resource) == (resource.optimisticLocking != .off))

                let lenient = try await Self.check(fixture, resource, targets, DeleteOptions(handling: .lenient, summaryLimit: summaryLimit))
                #expect(lenient.observed.kind == .partial)
                #expect(lenient.observed.failures == strict.observed.failures)
                let left = try await Self.rows(fixture.direct, resource).keys
                switch resource.optimisticLocking {
                case .optional:
                    #expect(left.count == 1_200)
                    #expect(left.allSatisfy { Self.id($0) % 5 == 0 })
                case .required:
                    // What stays: wrong checksums, and keys named with nothing at all.
                    #expect(left.count == 6_000 - lenient.observed.succeeded)
                    #expect(left.contains(Self.key(1)) && left.contains(Self.key(5)) && !left.contains(Self.key(3)) && !left.contains(Self.key(11)))
                case .off:
                    #expect(left.isEmpty)
                }
            }
        }
    }

    // MARK: (4) Ignore-missing

    @Test(arguments: StoreKind.available, [0, 10])
    func ignoreMissingSkipsMissingKeysInEveryChunk(kind: StoreKind, summaryLimit: Int) async throws {
        let present = (Int64(1)...9_000).filter { $0 % 4 != 0 }
        try await Self.with(kind, Seed(item: present)) { fixture in
            let rows = try await Self.rows(fixture.direct, Self.item)
            // 1...11,000: the last chunk names no row at all. Every ninth key carries its
            // checksum (a made-up one where there is no row), so missing rows are also met
            // among the keys that are read first.
            let targets: [Target] = (Int64(1)...11_000).map { id in
                let key = Self.key(id)
                guard id % 9 == 0 else { return (key, .none) }
                return (key, .checksum(rows[key].map { Checksum.of($0, in: Self.item) } ?? "A:2222222222222222"))
            }
            let options = DeleteOptions(ignoreMissing: true, summaryLimit: summaryLimit)
            let dry = try await Self.check(fixture, Self.item, targets, DeleteOptions(ignoreMissing: true, dryRun: true, summaryLimit: summaryLimit))
            let once = try await Self.check(fixture, Self.item, targets, options)
            #expect(once.observed.kind == .all)
            #expect(once.observed.failures.isEmpty && once.observed.failureCount == 0)
            #expect(once.observed.succeeded == present.count)
            #expect(once.observed.counts == ["item DELETE \(present.count)"])
            #expect(dry.observed.difference(from: once.observed) == "dryRun true against false")
            #expect(try await Self.rows(fixture.direct, Self.item).isEmpty)
            // A count is enough when missing rows are ignored: nothing is undone.
            #expect(!once.calls.contains("savepoint undone"))

            // Deleting twice with ignore-missing is deleting once.
            let twice = try await Self.check(fixture, Self.item, targets, options)
            #expect(twice.observed.kind == .all)
            #expect(twice.observed.succeeded == 0)
            #expect(twice.observed.counts.isEmpty && twice.observed.changes.isEmpty && !twice.observed.truncated)
        }
    }

    /// Ignore-missing does not excuse a wrong checksum on a row that is there.
    @Test(arguments: StoreKind.available)
    func ignoreMissingStillRefusesAWrongChecksum(kind: StoreKind) async throws {
        try await Self.with(kind, Seed(item: Array(1...20))) { fixture in
            let targets: [Target] = Self.targets(Int64(15)...25) + [(Self.key(30), Self.wrong), (Self.key(16), Self.wrong), (Self.key(4), Self.wrong)]
            let strict = try await Self.check(fixture, Self.item, targets, DeleteOptions(ignoreMissing: true))
            #expect(strict.observed.kind == OutcomeKind.none)
            #expect(strict.observed.failures == ["13 4 checksumMismatch"])
            let lenient = try await Self.check(fixture, Self.item, targets, DeleteOptions(ignoreMissing: true, handling: .lenient, summaryLimit: 0))
            #expect(lenient.observed.kind == .partial)
            #expect(lenient.observed.succeeded == 6)
            #expect(try await Self.rows(fixture.direct, Self.item).count == 14)
        }
    }

    // MARK: (5) Dry runs

    @Test(arguments: StoreKind.available, [0, 3])
    func aDryRunReportsWhatTheRealRunDoesAndLeavesEveryRow(kind: StoreKind, summaryLimit: Int) async throws {
        let present = (Int64(1)...7_000).filter { $0 % 10 != 0 }
        try await Self.with(kind, Seed(item: present, locked: Array(1...10))) { fixture in
            let rows = try await Self.rows(fixture.direct, Self.item)
            let targets: [Target] = (Int64(1)...7_000).map { id in
                id == 77 ? (Self.key(id), Self.wrong) : (Self.key(id), id % 7 == 0 ? .checksum(Checksum.of(rows[Self.key(id)] ?? Row(), in: Self.item)) : .none)
            }
            let before = try await Self.rows(fixture.direct, Self.item)
            let requests: [DeleteOptions] = [
                DeleteOptions(handling: .strict, summaryLimit: summaryLimit),
                DeleteOptions(ignoreMissing: true, handling: .lenient, summaryLimit: summaryLimit),
                DeleteOptions(handling: .lenient, maxAffected: 10, summaryLimit: summaryLimit),
                DeleteOptions(handling: .lenient, summaryLimit: summaryLimit),
            ]
            var dryRuns: [Observed] = []
            for var options in requests {
                options.dryRun = true
                let dry = try await Self.check(fixture, Self.item, targets, options)
                #expect(Self.difference(try await Self.rows(fixture.direct, Self.item), before) == nil)
                if dry.observed.refusal == nil { #expect(dry.observed.dryRun) }
                dryRuns.append(dry.observed)
            }
            #expect(dryRuns[0].kind == OutcomeKind.none)
            #expect(dryRuns[1].kind == .partial && dryRuns[1].failures == ["76 77 checksumMismatch"])
            #expect(dryRuns[2].refusal == "tooManyAffected \(present.count - 1)")
            #expect(dryRuns[3].kind == .partial && dryRuns[3].succeeded == present.count - 1)
            // The real run answers the same, and deletes.
            let real = try await Self.check(fixture, Self.item, targets, requests[3])
            var expected = dryRuns[3]
            expected.dryRun = false
            #expect(real.observed.difference(from: expected) == nil)
            #expect(try await Self.rows(fixture.direct, Self.item).keys.sorted(by: Self.precedes) == [Self.key(77)])

            let one = try await Self.check(fixture, Self.locked, [(Self.key(1), .override)], DeleteOptions(dryRun: true, summaryLimit: summaryLimit))
            #expect(one.observed.kind == .all && one.observed.dryRun && one.observed.succeeded == 1)
            #expect(try await Self.rows(fixture.direct, Self.locked).count == 10)
        }
    }

    // MARK: (6) Max-affected and the request budget

    @Test(arguments: StoreKind.available, [0, 10])
    func maxAffectedRefusesTheWholeRequest(kind: StoreKind, summaryLimit: Int) async throws {
        let present = (Int64(1)...6_000).filter { $0 % 6 != 0 }
        try await Self.with(kind, Seed(item: present)) { fixture in
            let ids = Array(Int64(1)...6_000)
            let going = present.count
            for handling in [FailureHandling.strict, .lenient] {
                for dryRun in [false, true] {
                    let refused = try await Self.check(
                        fixture, Self.item, Self.targets(ids),
                        DeleteOptions(ignoreMissing: true, handling: handling, dryRun: dryRun, maxAffected: going - 1, summaryLimit: summaryLimit))
                    #expect(refused.observed.refusal == "tooManyAffected \(going)")
                }
            }
            // Lenient: what counts is the rows that would go, not the keys named.
            let lenient = try await Self.check(
                fixture, Self.item, Self.targets(ids), DeleteOptions(handling: .lenient, maxAffected: going - 1, summaryLimit: summaryLimit))
            #expect(lenient.observed.refusal == "tooManyAffected \(going)")
            // Strict with a failure: nothing would go, so nothing is over the limit.
            let strict = try await Self.check(
                fixture, Self.item, Self.targets(ids), DeleteOptions(handling: .strict, maxAffected: 1, summaryLimit: summaryLimit))
            #expect(strict.observed.kind == OutcomeKind.none && strict.observed.failureCount == 1_000)
            #expect(try await Self.rows(fixture.direct, Self.item).count == going)
            let within = try await Self.check(
                fixture, Self.item, Self.targets(ids), DeleteOptions(handling: .lenient, maxAffected: going, summaryLimit: summaryLimit))
            #expect(within.observed.kind == .partial && within.observed.succeeded == going)
            #expect(try await Self.rows(fixture.direct, Self.item).isEmpty)
            let zero = try await Self.check(fixture, Self.item, Self.targets(ids), DeleteOptions(ignoreMissing: true, maxAffected: 0))
            #expect(zero.observed.kind == .all && zero.observed.succeeded == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func theRequestBudgetCountsTheRowsThatGo(kind: StoreKind) async throws {
        try await Self.with(kind, Seed(item: Array(1...6))) { fixture in
            let role = Role(name: "loader", grants: [Role.everyResource: Set(Action.allCases)], maxRowsPerRequest: 5)
            let access = Access.principal(Principal(name: "test:loader", roles: ["loader"]), AccessRules(roles: ["loader": role]))
            let six = try await Self.check(fixture, Self.item, Self.targets(Int64(1)...6), access: access, budget: 5)
            #expect(six.observed.refusal == "overBudget 6")
            let strict = try await Self.check(fixture, Self.item, Self.targets(Int64(1)...8), access: access, budget: 5)
            #expect(strict.observed.kind == OutcomeKind.none)
            #expect(try await Self.rows(fixture.direct, Self.item).count == 6)
            // Five of eight keys exist: five rows go, which the budget allows.
            let targets = Self.targets([1, 9, 2, 10, 3, 4, 11, 5])
            let fits = try await Self.check(fixture, Self.item, targets, DeleteOptions(handling: .lenient, summaryLimit: 0), access: access, budget: 5)
            #expect(fits.observed.kind == .partial && fits.observed.succeeded == 5)
            #expect(fits.observed.failures == ["1 9 notFound", "3 10 notFound", "6 11 notFound"])
            #expect(try await Self.rows(fixture.direct, Self.item).keys.sorted(by: Self.precedes) == [Self.key(6)])
        }
    }

    // MARK: (7) The summary

    enum Order: String, CaseIterable, Sendable {
        case ascending, descending, shuffled
    }

    /// Rows 3...6,002 (1 and 2 missing); the request names 1...6,002 in each order, over two
    /// chunks; the summary's 7 rows are the first 7 that went, in key order, as they were.
    @Test(arguments: StoreKind.available, Order.allCases)
    func theSummaryListsTheFirstRowsInKeyOrderWhateverTheRequestOrder(kind: StoreKind, order: Order) async throws {
        try await Self.with(kind, Seed(item: Array(3...6_002))) { fixture in
            var ids = Array(Int64(1)...6_002)
            switch order {
            case .ascending: break
            case .descending: ids.reverse()
            case .shuffled:
                var random = Scenario.Random(state: 42)
                ids = random.shuffle(ids)
            }
            let checked = try await Self.check(fixture, Self.item, Self.targets(ids), DeleteOptions(handling: .lenient, summaryLimit: 7))
            #expect(checked.observed.kind == .partial)
            #expect(checked.observed.truncated)
            #expect(checked.observed.counts == ["item DELETE 6000"])
            #expect(checked.observed.succeeded == 6_000)
            let changes = try #require(checked.outcome?.changes)
            #expect(changes.map(\.key) == (3...9).map { Self.key($0) })
            #expect(changes.allSatisfy { $0.verb == .delete && $0.resource == "item" })
            // Each row as it was, every column, and the checksum of that row.
            for change in changes {
                let was = try #require(checked.before[change.key])
                #expect(change.row == was)
                #expect(change.checksum == Checksum.of(was, in: Self.item))
            }
            #expect(Set(checked.observed.failures) == ["\(ids.firstIndex(of: 1)!) 1 notFound", "\(ids.firstIndex(of: 2)!) 2 notFound"])
            #expect(checked.observed.failures.count == 2)
        }
    }

    /// Every row fits in the summary: all listed, in key order, not truncated.
    @Test(arguments: StoreKind.available)
    func aSummaryWithRoomListsEveryRowInKeyOrder(kind: StoreKind) async throws {
        try await Self.with(kind, Seed(item: Array(1...40))) { fixture in
            var random = Scenario.Random(state: 9)
            let ids = random.shuffle(Array(Int64(1)...40))
            let checked = try await Self.check(fixture, Self.item, Self.targets(ids), DeleteOptions(summaryLimit: 40))
            #expect(checked.observed.kind == .all)
            #expect(!checked.observed.truncated)
            #expect(checked.outcome?.changes.map(\.key) == (1...40).map { Self.key($0) })
            let none = try await Self.check(fixture, Self.item, Self.targets([41, 42]), DeleteOptions(ignoreMissing: true, summaryLimit: 40))
            #expect(none.observed.kind == .all && none.observed.changes.isEmpty && !none.observed.truncated)
        }
    }

    // MARK: (8) A composite key

    @Test(arguments: StoreKind.available, [0, 5])
    func aCompositeKeyGoesStraightToo(kind: StoreKind, summaryLimit: Int) async throws {
        let cells = (Int64(1)...2_200).flatMap { x in (Int64(1)...3).map { y in (x, y) } }.filter { ($0.0 + $0.1) % 13 != 0 }
        try await Self.with(kind, Seed(cell: cells)) { fixture in
            let rows = try await Self.rows(fixture.direct, Self.cell)
            var random = Scenario.Random(state: 7)
            let named = random.shuffle((Int64(1)...2_300).flatMap { x in (Int64(1)...3).map { y in Self.key(x, y) } })
            let targets: [Target] = named.map { key in
                guard case .integer(let x) = key.values[0] else { return (key, .none) }
                if x == 1_001 { return (key, Self.wrong) }
                if x % 4 == 0 { return (key, .checksum(rows[key].map { Checksum.of($0, in: Self.cell) } ?? "A:3333333333333333")) }
                return (key, .none)
            }
            #expect(targets.count > Self.chunkSize)
            let strict = try await Self.check(fixture, Self.cell, targets, DeleteOptions(summaryLimit: summaryLimit))
            #expect(strict.observed.kind == OutcomeKind.none)
            let missing = 6_900 - cells.count
            #expect(strict.observed.failureCount == missing + 3)
            #expect(strict.observed.failures.filter { $0.hasSuffix("checksumMismatch") }.map { $0.split(separator: " ")[1] }.sorted() == ["1001,1", "1001,2", "1001,3"])

            let lenient = try await Self.check(fixture, Self.cell, targets, DeleteOptions(handling: .lenient, summaryLimit: summaryLimit))
            #expect(lenient.observed.kind == .partial)
            #expect(lenient.observed.succeeded == cells.count - 3)
            #expect(lenient.outcome?.changes.map(\.key.description) == Array(["1,1", "1,2", "1,3", "2,1", "2,2"].prefix(summaryLimit)))
            #expect(try await Self.rows(fixture.direct, Self.cell).keys.map(\.description).sorted() == ["1001,1", "1001,2", "1001,3"])
            if summaryLimit == 0 { #expect(lenient.calls.contains("delete cell returning x,y")) }
        }
    }

    // MARK: (9) Keys out of order, repeats far apart

    enum Switch: String, CaseIterable, Sendable {
        /// The first key out of order is a repeat of the last one.
        case atARepeat
        /// The first key out of order is new.
        case atANewKey
    }

    /// Rows 1...8,000 but 10. The request names 1...6,000 in ascending order (10 at position 9),
    /// then keys out of order: new ones and repeats of keys named thousands of positions
    /// earlier, some with wrong checksums. Each repeat is ignored; each new key goes.
    @Test(arguments: StoreKind.available, Switch.allCases)
    func keysOutOfOrderWithRepeatsFarApart(kind: StoreKind, at point: Switch) async throws {
        try await Self.with(kind, Seed(item: (Int64(1)...8_000).filter { $0 != 10 })) { fixture in
            let rows = try await Self.rows(fixture.direct, Self.item)
            var targets = Self.targets(Int64(1)...6_000)
            switch point {
            case .atARepeat:
                targets += [(Self.key(6_000), Self.wrong), (Self.key(7_000), .none), (Self.key(6_500), .none)]
            case .atANewKey:
                targets += [(Self.key(7_000), .none), (Self.key(6_500), .none), (Self.key(6_000), Self.wrong)]
            }
            targets += [
                (Self.key(2), Self.wrong),
                (Self.key(10), .checksum(Checksum.of(rows[Self.key(11)]!, in: Self.item))),  // a repeat of a missing key: listed once
                (Self.key(1), Self.wrong),
                (Self.key(7_000), Self.wrong),
                (Self.key(6_999), .none),
                (Self.key(5_999), .none),
                (Self.key(10), .none),
                (Self.key(7_500), .checksum(Checksum.of(rows[Self.key(7_500)]!, in: Self.item))),
                (Self.key(6_500), Self.wrong),
            ]
            let strict = try await Self.check(fixture, Self.item, targets, DeleteOptions(summaryLimit: 0))
            #expect(strict.observed.kind == OutcomeKind.none)
            #expect(strict.observed.failures == ["9 10 notFound"])
            let lenient = try await Self.check(fixture, Self.item, targets, DeleteOptions(handling: .lenient, summaryLimit: 3))
            #expect(lenient.observed.kind == .partial)
            #expect(lenient.observed.failures == ["9 10 notFound"])
            #expect(lenient.observed.succeeded == 5_999 + 4)
            #expect(lenient.outcome?.changes.map(\.key) == [1, 2, 3].map { Self.key($0) })
            let left = Set(try await Self.rows(fixture.direct, Self.item).keys)
            #expect(left.count == 8_000 - 1 - 6_003)
            #expect(!left.contains(Self.key(6_500)) && !left.contains(Self.key(7_000)) && !left.contains(Self.key(6_999)) && !left.contains(Self.key(7_500)))
            #expect(left.contains(Self.key(6_001)) && left.contains(Self.key(8_000)))
        }
    }

    /// Keys in descending order from the start, with repeats.
    @Test(arguments: StoreKind.available)
    func descendingKeysWithRepeats(kind: StoreKind) async throws {
        try await Self.with(kind, Seed(item: Array(1...100))) { fixture in
            let targets = Self.targets([100, 50, 100, 7, 200, 50, 1, 200, 7])
            let strict = try await Self.check(fixture, Self.item, targets)
            #expect(strict.observed.failures == ["4 200 notFound"])
            let lenient = try await Self.check(fixture, Self.item, targets, DeleteOptions(handling: .lenient))
            #expect(Self.keys(lenient.observed) == ["1", "7", "50", "100"])
            #expect(try await Self.rows(fixture.direct, Self.item).count == 96)
        }
    }

    // MARK: Read policies

    /// A role that reads only active items (even ids) and may delete any item it reads: rows it
    /// cannot read are missing to it, whatever the precondition.
    @Test(arguments: StoreKind.available, [0, 10])
    func aRowTheCallerCannotReadIsMissing(kind: StoreKind, summaryLimit: Int) async throws {
        let role = Role(
            name: "viewer", grants: ["item": [.read, .delete]],
            policies: [RowPolicy(name: "active", resource: "item", actions: [.read], conditions: [PolicyCondition(column: "active", operand: .values([.boolean(true)]))])])
        let access = Access.principal(Principal(name: "test:viewer", roles: ["viewer"]), AccessRules(roles: ["viewer": role]))
        let visible: (Row) -> Bool = { $0["active"] == .boolean(true) }
        try await Self.with(kind, Seed(item: Array(1...6_000))) { fixture in
            let rows = try await Self.rows(fixture.direct, Self.item)
            let targets: [Target] = (Int64(1)...6_010).map { id in
                let key = Self.key(id)
                // The right checksum of a hidden row does not make it found.
                return id % 3 == 0 ? (key, .checksum(rows[key].map { Checksum.of($0, in: Self.item) } ?? "A:4444444444444444")) : (key, .none)
            }
            let strict = try await Self.check(fixture, Self.item, targets, DeleteOptions(summaryLimit: summaryLimit), access: access, visible: visible)
            #expect(strict.observed.kind == OutcomeKind.none)
            #expect(strict.observed.failures.prefix(3) == ["0 1 notFound", "2 3 notFound", "4 5 notFound"])
            #expect(strict.observed.failureCount == 3_000 + 10)
            let ignoring = try await Self.check(
                fixture, Self.item, targets, DeleteOptions(ignoreMissing: true, dryRun: true, summaryLimit: summaryLimit), access: access, visible: visible)
            #expect(ignoring.observed.kind == .all && ignoring.observed.succeeded == 3_000)
            let lenient = try await Self.check(
                fixture, Self.item, targets, DeleteOptions(handling: .lenient, summaryLimit: summaryLimit), access: access, visible: visible)
            #expect(lenient.observed.kind == .partial && lenient.observed.succeeded == 3_000)
            let left = try await Self.rows(fixture.direct, Self.item)
            #expect(left.count == 3_000 && left.values.allSatisfy { $0["active"] == .boolean(false) })
        }
    }

    // MARK: One key

    /// `delete` of one key answers as it did: the row's summary, or the failure thrown.
    @Test(arguments: StoreKind.available)
    func oneKeyAnswersAsBefore(kind: StoreKind) async throws {
        try await Self.with(kind, Seed(item: [1, 2, 3], locked: [1, 2])) { fixture in
            for engine in [fixture.direct, fixture.planned] {
                let missing = await #expect(throws: RestableError.self) {
                    try await engine.delete(DeleteRequest(resource: "item", key: .parts(["9"])))
                }
                #expect(missing?.code == .notFound)
                #expect(missing?.key == Self.key(9))
                let stale = await #expect(throws: RestableError.self) {
                    try await engine.delete(DeleteRequest(resource: "item", key: .parts(["1"]), precondition: Self.wrong))
                }
                #expect(stale?.code == .checksumMismatch)
                let required = await #expect(throws: RestableError.self) {
                    try await engine.delete(DeleteRequest(resource: "locked", key: .parts(["1"])))
                }
                #expect(required?.code == .checksumRequired)
                let ignored = try await engine.delete(DeleteRequest(resource: "item", key: .parts(["9"]), ignoreMissing: true))
                #expect(ignored.changes.isEmpty && ignored.kind == .all && ignored.counts.total == 0)
                let row = try await engine.get(resource: "item", key: .parts(["2"]))
                let outcome = try await engine.delete(
                    DeleteRequest(resource: "item", key: .parts(["2"]), precondition: .checksum(Checksum.of(row, in: Self.item))))
                #expect(outcome.changes.map(\.row) == [row])
                #expect(outcome.succeeded == 1)
                let counted = try await engine.delete(DeleteRequest(resource: "item", key: .parts(["3"]), summaryLimit: 0))
                #expect(counted.changes.isEmpty && counted.truncated && counted.counts.count(.delete, of: "item") == 1)
                #expect(try await Self.rows(engine, Self.item).keys.sorted(by: Self.precedes) == [Self.key(1)])
            }
        }
    }
}

// MARK: A store that records what it is asked

/// What a store was asked, in order: `select item`, `delete item`, `delete item returning id`,
/// `update item`, `savepoint`, `savepoint undone`.
final class StoreCalls: Sendable {
    private let entries = Mutex<[String]>([])

    func add(_ entry: String) { entries.withLock { $0.append(entry) } }
    func clear() { entries.withLock { $0 = [] } }
    var all: [String] { entries.withLock { $0 } }
}

/// A store that passes everything to another and records the calls of its sessions.
struct RecordingStore: Store {
    let base: any Store
    let calls: StoreCalls

    func prepare(_ schema: Schema, seed: [InsertPlan]) async throws -> [String] {
        try await base.prepare(schema, seed: seed)
    }

    func read<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await base.read { session in try await body(RecordingSession(base: session, calls: calls)) }
    }

    func write<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await base.write { session in try await body(RecordingSession(base: session, calls: calls)) }
    }

    var writesConcurrently: Bool { base.writesConcurrently }
    func close() async { await base.close() }
}

struct RecordingSession: StoreSession {
    let base: any StoreSession
    let calls: StoreCalls

    func select(_ resource: Resource, where predicate: RowPredicate, order: [SortKey], limit: Int?, offset: Int?) async throws -> [Row] {
        calls.add("select \(resource.name)")
        return try await base.select(resource, where: predicate, order: order, limit: limit, offset: offset)
    }

    func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        calls.add("count \(resource.name)")
        return try await base.count(resource, where: predicate)
    }

    func insert(_ resource: Resource, values: [String: Value]) async throws -> Row {
        try await base.insert(resource, values: values)
    }

    func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int {
        calls.add("update \(resource.name)")
        return try await base.update(resource, where: predicate, set: values)
    }

    func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        calls.add("delete \(resource.name)")
        return try await base.delete(resource, where: predicate)
    }

    func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) async throws -> [Row] {
        calls.add("delete \(resource.name) returning \(columns.map(\.name).joined(separator: ","))")
        return try await base.delete(resource, where: predicate, returning: columns)
    }

    func deleteJournaling(_ resource: Resource, where predicate: RowPredicate, columns: [Column]) async throws -> JournaledRows {
        calls.add("delete \(resource.name) journaling \(columns.map(\.name).joined(separator: ","))")
        return try await base.deleteJournaling(resource, where: predicate, columns: columns)
    }

    func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        calls.add("savepoint")
        do {
            return try await base.savepoint(body)
        } catch {
            calls.add("savepoint undone")
            throw error
        }
    }

    func serialize(on name: String) async throws {
        try await base.serialize(on: name)
    }
}

/// A table made by hand whose text key compares without case (`COLLATE NOCASE`): the database
/// matches the key `abc` to the row `ABC`, a key the engine does not take for `abc` (keys are
/// equal when their bytes are). The planned path reads `ABC` for the target `abc`, finds no
/// row with the key `abc`, and answers `notFound` without deleting anything. The direct path
/// must answer the same; it fails today: its DELETE removes `ABC`, and since as many rows went
/// as keys were named it reports the target as deleted (outcome `all`, the summary listing
/// `ABC`), in strict and lenient handling, with and without a summary.
@Suite struct DirectDeleteCollationTests {
    static let tag = Resource(name: "tag", key: ["name"], columns: [Column(name: "name", type: .text), Column(name: "note", type: .text)])
    static let pin = Resource(name: "pin", key: ["id"], columns: [Column(name: "id", type: .integer), Column(name: "tag_name", type: .text)])
    static let script = """
        CREATE TABLE tag (name TEXT PRIMARY KEY COLLATE NOCASE, note TEXT);
        CREATE TABLE pin (id INTEGER PRIMARY KEY, tag_name TEXT REFERENCES tag (name) ON DELETE RESTRICT);
        INSERT INTO tag VALUES ('ABC', 'upper'), ('def', 'lower');
        """

    static func engine(_ schema: Schema, in folder: URL, _ name: String) throws -> (Engine, any Store) {
        let path = folder.appendingPathComponent(name).path
        try HandMadeSQLite.create(at: path, script)
        let store = try SQLiteStore(.file(path), logger: DirectDeleteTests.logger)
        return (Engine(schema: schema, store: store, logger: DirectDeleteTests.logger), store)
    }

    static func names(_ engine: Engine) async throws -> [String] {
        try await engine.list(ListRequest(resource: "tag")).map { $0["name"].description }
    }

    /// Each request on a fresh pair of databases, as a dry run and then for real: the planned
    /// path refuses `abc` (`notFound`) and keeps `ABC`; the direct path must too.
    @Test(arguments: [0, 10], [FailureHandling.strict, .lenient])
    func aKeyTheDatabaseMatchesButDoesNotEqualIsAnsweredAsThePlannedPathAnswers(summaryLimit: Int, handling: FailureHandling) async throws {
        var divergences: [String] = []
        for keys in [["abc"], ["abc", "def"]] {
            let folder = try HandMadeSQLite.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let (direct, directStore) = try Self.engine(Schema(resources: [Self.tag]), in: folder, "direct.sqlite")
            let (planned, plannedStore) = try Self.engine(
                Schema(resources: [Self.tag, Self.pin], relationships: [Relationship(parent: "tag", child: "pin", columns: ["tag_name"], onDelete: .restrict)]),
                in: folder, "planned.sqlite")
            for dryRun in [true, false] {
                let request = BulkDeleteRequest(
                    resource: "tag", selection: .keys(KeyList(keys.map { KeyedTarget(key: .parts([$0])) })),
                    options: DeleteOptions(handling: handling, dryRun: dryRun, summaryLimit: summaryLimit))
                let fromPlanned = DirectDeleteTests.Observed(try await planned.deleteMany(request))
                let fromDirect = DirectDeleteTests.Observed(try await direct.deleteMany(request))
                #expect(fromPlanned.failures == ["0 abc notFound"])
                let what = "\(keys)\(dryRun ? ", dry run" : "")"
                if let difference = fromDirect.difference(from: fromPlanned) {
                    divergences.append("\(what): direct \(fromDirect.kind.map { "\($0)" } ?? "-") \(fromDirect.failures) \(fromDirect.changes.map { $0.split(separator: " ")[2] }), planned \(fromPlanned.kind.map { "\($0)" } ?? "-") \(fromPlanned.failures) (\(difference))")
                }
                let left = (try await Self.names(direct), try await Self.names(planned))
                if left.0 != left.1 { divergences.append("\(what): rows left \(left.0) against \(left.1)") }
            }
            #expect(try await Self.names(planned).contains("ABC"))
            await directStore.close()
            await plannedStore.close()
        }
        #expect(divergences.isEmpty, "\(divergences.joined(separator: "; "))")
    }
}

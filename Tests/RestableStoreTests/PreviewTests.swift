import RestableCore
import Testing

/// Previews you commit exactly, on every store: a dry run's tag commits the same delete when
/// nothing changed, and refuses it, changing nothing and naming the rows, when one row changed,
/// was added, or went.
@Suite struct PreviewTests {
    /// The journal tests' data (customers, three levels of cascades and a set-null) with previews kept.
    static func engine(_ kind: StoreKind) async throws -> (Engine, any Store) {
        var (engine, store) = try await JournalTests.engine(kind)
        _ = try await store.prepare(Schema(resources: [RestableTables.previews]), seed: [])
        engine.previewRetention = RetentionPeriod(parsing: "1d")
        return (engine, store)
    }

    static func request(_ resource: String, _ keys: [String], _ options: DeleteOptions) -> BulkDeleteRequest {
        BulkDeleteRequest(resource: resource, selection: .keys(KeyList(keys.map { KeyedTarget(key: .parts([$0])) })), options: options)
    }

    static func preview(_ engine: Engine, _ resource: String, _ keys: [String], summaryLimit: Int = 1_000) async throws -> String {
        let dry = try await engine.deleteMany(request(resource, keys, DeleteOptions(dryRun: true, summaryLimit: summaryLimit, preview: .make)))
        #expect(dry.dryRun)
        return try #require(dry.preview)
    }

    static func commit(_ engine: Engine, _ resource: String, _ keys: [String], _ tag: String, summaryLimit: Int = 1_000) async throws -> ChangeOutcome {
        try await engine.deleteMany(request(resource, keys, DeleteOptions(summaryLimit: summaryLimit, preview: .expect(tag))))
    }

    /// One key (planned), two keys (the tree of cascades), a resource nothing depends on (direct).
    static let deletes: [(String, [String], Int)] = [("customer", ["1"], 6), ("customer", ["1", "2"], 8), ("line", ["100", "101"], 2)]

    @Test(arguments: StoreKind.available, [0, 1_000])
    func aPreviewCommitsWhenNothingChanged(kind: StoreKind, summaryLimit: Int) async throws {
        for (resource, keys, touched) in Self.deletes {
            let (engine, store) = try await Self.engine(kind)
            let before = try await JournalTests.snapshot(engine)
            let tag = try await Self.preview(engine, resource, keys, summaryLimit: summaryLimit)
            #expect(Preview.isTag(tag))
            // The same rows, unchanged, give the same tag, whichever path or summary made it.
            #expect(try await Self.preview(engine, resource, keys, summaryLimit: 1_000 - summaryLimit) == tag)
            #expect(try await JournalTests.snapshot(engine) == before)
            // A dry run checked against its preview changes nothing either.
            let checked = try await engine.deleteMany(Self.request(resource, keys, DeleteOptions(dryRun: true, preview: .expect(tag))))
            #expect(checked.dryRun && checked.counts.total == touched)
            let outcome = try await Self.commit(engine, resource, keys, tag, summaryLimit: summaryLimit)
            #expect(outcome.counts.total == touched, "\(resource) \(keys)")
            #expect(outcome.transaction != nil && outcome.preview == nil)
            await store.close()
        }
    }

    @Test(arguments: StoreKind.available)
    func aPreviewRefusesWhenOneRowChangedWasAddedOrWent(kind: StoreKind) async throws {
        let changes: [(String, @Sendable (Engine) async throws -> Void, [String])] = [
            ("a line changed", { _ = try await $0.update(UpdateRequest(resource: "line", key: .parts(["100"]), values: ["note": .text("changed")])) }, ["changed line 100"]),
            ("a set-null ticket changed", { _ = try await $0.update(UpdateRequest(resource: "ticket", key: .parts(["7"]), values: ["open": .boolean(false)])) }, ["changed ticket 7"]),
            ("an order added", { _ = try await $0.create(CreateRequest(resource: "order", values: ["id": .integer(12), "customer_id": .integer(1), "weight": .real(2)])) }, ["added order 12"]),
            ("a line went", { _ = try await $0.delete(DeleteRequest(resource: "line", key: .parts(["101"]))) }, ["removed line 101"]),
            ("a ticket moved away", { _ = try await $0.update(UpdateRequest(resource: "ticket", key: .parts(["7"]), values: ["customer_id": .integer(2)])) }, ["removed ticket 7"]),
        ]
        for (what, change, expected) in changes {
            let (engine, store) = try await Self.engine(kind)
            let tag = try await Self.preview(engine, "customer", ["1"])
            try await change(engine)
            let after = try await JournalTests.snapshot(engine)
            for dryRun in [true, false] {
                let error = await #expect(throws: RestableError.self, "\(what)") {
                    try await engine.deleteMany(Self.request("customer", ["1"], DeleteOptions(dryRun: dryRun, preview: .expect(tag))))
                }
                #expect(error?.code == .previewMismatch)
                #expect(error?.differences.map { "\($0.kind) \($0.resource) \($0.key)" } == expected, "\(what)")
                #expect(error?.count == expected.count)
            }
            #expect(try await JournalTests.snapshot(engine) == after, "\(what): nothing changed")
            await store.close()
        }
    }

    @Test(arguments: StoreKind.available)
    func aPreviewThatIsNotKeptIsRefusedByName(kind: StoreKind) async throws {
        var (engine, store) = try await Self.engine(kind)
        let start: Int64 = 1_800_000_000_000
        engine.clock = { start }
        let tag = try await Self.preview(engine, "customer", ["1"])
        _ = try await engine.update(UpdateRequest(resource: "line", key: .parts(["100"]), values: ["note": .text("changed")]))
        // Two days later another preview removes the old one, which can no longer name its rows.
        engine.clock = { start + 2 * 86_400_000 }
        _ = try await Self.preview(engine, "customer", ["2"])
        let after = try await JournalTests.snapshot(engine)
        let error = await #expect(throws: RestableError.self) { try await Self.commit(engine, "customer", ["1"], tag) }
        #expect(error?.code == .previewMismatch && error?.differences.isEmpty == true)
        #expect(error?.message.contains("does not hold") == true)
        let never = await #expect(throws: RestableError.self) { try await Self.commit(engine, "customer", ["1"], "P:" + String(repeating: "0", count: 32)) }
        #expect(never?.code == .previewMismatch)
        let malformed = await #expect(throws: RestableError.self) { try await Self.commit(engine, "customer", ["1"], "P:xyz") }
        #expect(malformed?.code == .invalidHeader)
        #expect(try await JournalTests.snapshot(engine) == after)
        // An unchanged delete commits by its tag even when the preview is no longer kept.
        let fresh = try await Self.preview(engine, "customer", ["2"])
        engine.clock = { start + 4 * 86_400_000 }
        let line = try await Self.preview(engine, "line", ["100"])
        #expect(try await Self.commit(engine, "customer", ["2"], fresh).counts.total == 2)
        // Past its retention a preview names no rows, though no later preview has removed it yet.
        _ = try await engine.update(UpdateRequest(resource: "line", key: .parts(["100"]), values: ["note": .text("later")]))
        engine.clock = { start + 6 * 86_400_000 }
        let expired = await #expect(throws: RestableError.self) { try await Self.commit(engine, "line", ["100"], line) }
        #expect(expired?.code == .previewMismatch && expired?.differences.isEmpty == true && expired?.message.contains("does not hold") == true)
        await store.close()
    }

    /// Another caller who sends a preview's tag learns only that its delete differs: the rows
    /// the preview held may include rows that caller's read policy hides.
    @Test(arguments: StoreKind.available)
    func aPreviewNamesItsRowsOnlyToTheCallerWhoMadeIt(kind: StoreKind) async throws {
        let (engine, store) = try await Self.engine(kind)
        let rules = AccessRules(roles: ["all": Role(name: "all", grants: [Role.everyResource: Set(Action.allCases)])])
        let ann = engine.acting(as: .principal(Principal(name: "ann", roles: ["all"]), rules))
        let bob = engine.acting(as: .principal(Principal(name: "bob", roles: ["all"]), rules))
        let tag = try await Self.preview(ann, "customer", ["1"])
        _ = try await engine.update(UpdateRequest(resource: "line", key: .parts(["100"]), values: ["note": .text("changed")]))
        let before = try await JournalTests.snapshot(engine)
        let other = await #expect(throws: RestableError.self) { try await Self.commit(bob, "customer", ["2"], tag) }
        #expect(other?.code == .previewMismatch && other?.differences.isEmpty == true && other?.count == nil)
        #expect(other?.message.contains("another caller") == true)
        let own = await #expect(throws: RestableError.self) { try await Self.commit(ann, "customer", ["1"], tag) }
        #expect(own?.code == .previewMismatch && own?.differences.map { $0.kind } == [PreviewDifference.Kind.changed])
        #expect(try await JournalTests.snapshot(engine) == before)
        // The tag alone decides a commit: whoever sends the tag of rows unchanged commits them.
        let fresh = try await Self.preview(ann, "customer", ["1"])
        #expect(try await Self.commit(bob, "customer", ["1"], fresh).counts.total == 6)
        await store.close()
    }

    @Test func previewTagsHaveOneShapeAndIgnoreOrder() {
        let a = PreviewEntry(resource: "line", verb: .delete, key: Key([.integer(1)]), checksum: "A:1")
        let b = PreviewEntry(resource: "ticket", verb: .update, key: Key([.integer(2)]), checksum: "A:2")
        #expect(Preview([a, b]).tag == Preview([b, a]).tag)
        #expect(Preview([a, b]).tag != Preview([a]).tag)
        var changed = b
        changed.checksum = "A:3"
        #expect(Preview([a, b]).tag != Preview([a, changed]).tag)
        #expect(Preview.isTag(Preview([]).tag))
        for text in ["P:", "P:0123", "p:" + String(repeating: "a", count: 32), "P:" + String(repeating: "A", count: 32), "A:" + String(repeating: "a", count: 32)] {
            #expect(!Preview.isTag(text), "\(text)")
        }
    }
}

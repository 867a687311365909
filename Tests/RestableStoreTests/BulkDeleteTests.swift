import RestableCore
import Testing

/// Many-row deletes against each real store: forms, outcomes, guards, dry runs, summaries.
@Suite struct BulkDeleteTests {
    static func keys(_ values: [Int64]) -> DeleteSelection {
        .keys(KeyList(values.map { KeyedTarget(key: .values([.integer($0)])) }))
    }

    @Test(arguments: StoreKind.available)
    func keyListDeletesEveryTargetWithItsCascades(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.deleteMany(BulkDeleteRequest(resource: "purchase_order", selection: Self.keys([1, 3, 1])))
            #expect(outcome.kind == .all)
            #expect(outcome.succeeded == 2, "a repeated key is deleted once")
            #expect(outcome.counts.count(.delete, of: "purchase_order") == 2)
            #expect(outcome.counts.count(.delete, of: "line_item") == 3)
            #expect(outcome.changes.map { "\($0.resource) \($0.key)" } == [
                "purchase_order 1", "purchase_order 3", "line_item 1,1", "line_item 1,2", "line_item 3,1",
            ])
            #expect(try await demo.rows("purchase_order").map { $0["order_id"] } == [.integer(2)])
        }
    }

    /// Found by the filter model: Swift's `String ==` equates `é` with `e` and a combining
    /// accent, the databases do not. Two such keys are two rows, both deleted, each once.
    @Test(arguments: StoreKind.available)
    func canonicallyEquivalentTextKeysAreTwoRows(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            for name in ["\u{E9}", "e\u{301}"] {
                _ = try await demo.engine.create(CreateRequest(resource: "customer", values: ["name": .text(name), "balance": .integer(0)]))
            }
            let selection = DeleteSelection.keys(KeyList([KeyedTarget(key: .parts(["\u{E9}"])), KeyedTarget(key: .parts(["e\u{301}"]))]))
            let outcome = try await demo.engine.deleteMany(BulkDeleteRequest(resource: "customer", selection: selection))
            #expect(outcome.kind == .all)
            #expect(outcome.succeeded == 2)
            #expect(outcome.counts.count(.delete, of: "customer") == 2)
            let left = try await demo.engine.list(ListRequest(resource: "customer")).map { $0["name"] }
            #expect(!left.contains(.text("\u{E9}")) && !left.contains(.text("e\u{301}")))
        }
    }

    @Test(arguments: StoreKind.available)
    func strictFailureChangesNothingAndListsEveryFailureInRequestOrder(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let before = try await demo.snapshot()
            let outcome = try await demo.engine.deleteMany(BulkDeleteRequest(resource: "advertiser", selection: Self.keys([1, 3, 99, 4, 2])))
            #expect(outcome.kind == .none)
            #expect(outcome.failures.map { $0.key?.description } == ["3", "99", "4"])
            #expect(outcome.failures.map(\.error.code) == [.restricted, .notFound, .restricted])
            #expect(outcome.failures.map(\.index) == [1, 2, 3])
            #expect(outcome.changes.isEmpty)
            #expect(try await demo.snapshot() == before)
        }
    }

    @Test(arguments: StoreKind.available)
    func lenientDeletesWhatCanGo(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "advertiser", selection: Self.keys([1, 3, 99, 2]), options: DeleteOptions(handling: .lenient)))
            #expect(outcome.kind == .partial)
            #expect(outcome.succeeded == 2)
            #expect(outcome.failures.map(\.error.code) == [.restricted, .notFound])
            #expect(try await demo.rows("advertiser").map { $0["advertiser_id"] } == [.integer(3), .integer(4), .integer(5)])
            let none = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "advertiser", selection: Self.keys([3, 4]), options: DeleteOptions(handling: .lenient)))
            #expect(none.kind == .none)
            #expect(none.failures.count == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func eachTargetsCascadeIsAtomicWithIt(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            // Customers cascade to orders and lines; product 101's lines restrict nothing here,
            // but a stale checksum on one customer must keep its orders.
            let stale = KeyedTarget(key: .parts(["Alpha and Sons"]), precondition: .checksum("A:0000000000000000"))
            let fresh = KeyedTarget(key: .parts(["Golf Industries"]))
            let outcome = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "customer", selection: .keys(KeyList([stale, fresh])), options: DeleteOptions(handling: .lenient)))
            #expect(outcome.kind == .partial)
            #expect(outcome.failures.first?.error.code == .checksumMismatch)
            #expect(try await demo.rows("purchase_order").map { $0["order_id"] } == [.integer(3)])
            #expect(try await demo.rows("line_item").count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func ignoreMissingAppliesPerTarget(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "user", selection: Self.keys([4, 40, 5]), options: DeleteOptions(ignoreMissing: true)))
            #expect(outcome.kind == .all)
            #expect(outcome.succeeded == 2)
            #expect(outcome.failures.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func filtersSelectTheRows(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let filter = FilterInput(column: "price", operation: .compare(.gt), operands: ["100"])
            let outcome = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "product", selection: .filter(.conjunction([filter]), .override)))
            #expect(outcome.kind == .all)
            #expect(outcome.changes.map(\.key.description) == ["103", "105"])
            let required = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "product", selection: .filter(.conjunction([.equals("id", "104")]), .none)))
            #expect(required.failures.first?.error.code == .checksumRequired)
            let unbounded = await #expect(throws: RestableError.self) {
                try await demo.engine.deleteMany(BulkDeleteRequest(resource: "product", selection: .filter(.everyRow, .override)))
            }
            #expect(unbounded?.code == .unboundedDelete)
        }
    }

    @Test(arguments: StoreKind.available)
    func everyRowFollowsEveryRelationship(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.deleteMany(BulkDeleteRequest(resource: "user", selection: .everyRow(.none)))
            #expect(outcome.succeeded == 5)
            #expect(outcome.counts.count(.update, of: "campaign") == 3)
            #expect(try await demo.rows("campaign").allSatisfy { $0["created_by"] == .null })
        }
    }

    @Test(arguments: StoreKind.available)
    func maxAffectedRefusesAndChangesNothing(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let before = try await demo.snapshot()
            let byFilter = await #expect(throws: RestableError.self) {
                try await demo.engine.deleteMany(
                    BulkDeleteRequest(
                        resource: "user", selection: .filter(.conjunction([FilterInput(column: "user_id", operation: .compare(.gte), operands: ["2"])]), .none),
                        options: DeleteOptions(maxAffected: 3)))
            }
            #expect(byFilter?.code == .tooManyAffected)
            #expect(byFilter?.count == 4)
            let byKeys = await #expect(throws: RestableError.self) {
                try await demo.engine.deleteMany(
                    BulkDeleteRequest(resource: "customer", selection: .keys(KeyList([KeyedTarget(key: .parts(["Golf Industries"])), KeyedTarget(key: .parts(["New Customer"]))])),
                        options: DeleteOptions(maxAffected: 1)))
            }
            #expect(byKeys?.count == 2, "cascaded rows are not counted")
            #expect(try await demo.snapshot() == before)
            let within = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "customer", selection: .keys(KeyList([KeyedTarget(key: .parts(["Golf Industries"]))])),
                    options: DeleteOptions(maxAffected: 1)))
            #expect(within.counts.total == 6)
        }
    }

    @Test(arguments: StoreKind.available)
    func dryRunReportsEverythingAndRollsBack(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let before = try await demo.snapshot()
            let outcome = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "user", selection: Self.keys([2, 3]), options: DeleteOptions(dryRun: true)))
            #expect(outcome.dryRun)
            #expect(outcome.kind == .all)
            #expect(outcome.counts.count(.delete, of: "user") == 2)
            #expect(outcome.counts.count(.update, of: "campaign") == 3)
            let blocked = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "advertiser", selection: Self.keys([3]), options: DeleteOptions(dryRun: true)))
            #expect(blocked.failures.first?.error.code == .restricted)
            #expect(try await demo.snapshot() == before)
        }
    }

    @Test(arguments: StoreKind.available)
    func summaryIsCappedButCountsAreComplete(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.deleteMany(
                BulkDeleteRequest(resource: "customer", selection: .everyRow(.none), options: DeleteOptions(summaryLimit: 3)))
            #expect(outcome.changes.count == 3)
            #expect(outcome.truncated)
            #expect(outcome.counts.count(.delete, of: "customer") == 4)
            #expect(outcome.counts.count(.delete, of: "purchase_order") == 3)
            #expect(outcome.counts.count(.delete, of: "line_item") == 4)
        }
    }
}

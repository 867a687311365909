import RestableTestSupport
import Foundation
import RestableCore
import RestableSQLite
import Testing

/// Reads, inserts and updates against each real store, and the translation of database
/// constraint failures into the engine's errors.
@Suite struct ReadWriteTests {
    @Test(arguments: StoreKind.available)
    func listFiltersOrdersAndPages(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let lines = try await demo.engine.list(
                ListRequest(resource: "line_item", filters: [.equals("product_id", "101")]))
            #expect(lines.map { $0.key(in: demo.engine.schema.resource(named: "line_item")!) } == [
                Key([.integer(1), .integer(1)]), Key([.integer(2), .integer(1)]),
            ])
            let page = try await demo.engine.list(ListRequest(resource: "advertiser", limit: 2, offset: 1))
            #expect(page.map { $0["advertiser_id"] } == [.integer(2), .integer(3)])
            let cheap = try await demo.engine.list(
                ListRequest(resource: "product", filters: [FilterInput(column: "price", operation: .compare(.lt), operands: ["20"])]))
            #expect(cheap.map { $0["id"] } == [.integer(101), .integer(104)])
            let noNotes = try await demo.engine.list(
                ListRequest(resource: "purchase_order", filters: [FilterInput(column: "notes", operation: .isNull(true), operands: [])]))
            #expect(noNotes.map { $0["order_id"] } == [.integer(2)])
        }
    }

    /// A resource without a key has no cursor: its pages say more rows follow, and are found
    /// by their offset.
    @Test func aResourceWithoutAKeyIsPagedWithoutACursor() async throws {
        let log = Resource(name: "log", key: [], columns: [Column(name: "at", type: .integer), Column(name: "what", type: .text)])
        let schema = Schema(resources: [log])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("restable-keyless-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try HandMadeSQLite.create(at: path, "CREATE TABLE log (at INTEGER, what TEXT); INSERT INTO log VALUES (1, 'w1'), (2, 'w2'), (3, 'w3');")
        let store = try SQLiteStore(.file(path))
        let engine = Engine(schema: schema, store: store)
        let first = try await engine.page(ListRequest(resource: "log", order: [SortInput("at", descending: true)]), size: 2, counting: true)
        #expect(first.rows.map { $0["at"] } == [.integer(3), .integer(2)])
        #expect(first.hasMore && first.next == nil && first.total == 3 && first.position == 0)
        let second = try await engine.page(ListRequest(resource: "log", order: [SortInput("at", descending: true)], offset: 2), size: 2, counting: true)
        #expect(second.rows.map { $0["at"] } == [.integer(1)] && !second.hasMore && second.position == 2)
        await store.close()
    }

    @Test(arguments: StoreKind.available)
    func createFillsGeneratedKeysAndNeverReusesThem(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let created = try await demo.engine.create(CreateRequest(resource: "user", values: ["user_name": .text("frank")]))
            #expect(created["user_id"] == .integer(6))
            #expect(created["email"] == .null)
            _ = try await demo.engine.delete(DeleteRequest(resource: "user", key: .values([.integer(6)])))
            let next = try await demo.engine.create(CreateRequest(resource: "user", values: ["user_name": .text("grace")]))
            #expect(next["user_id"] == .integer(7))
        }
    }

    @Test(arguments: StoreKind.available)
    func constraintFailuresBecomeEngineErrors(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let duplicate = await #expect(throws: RestableError.self) {
                try await demo.engine.create(CreateRequest(resource: "contact_group", values: ["name": .text("Test Group 1")]))
            }
            #expect(duplicate?.code == .duplicateKey)
            let dangling = await #expect(throws: RestableError.self) {
                try await demo.engine.create(CreateRequest(resource: "purchase_order", values: ["customer_name": .text("Nobody")]))
            }
            #expect(dangling?.code == .invalidReference)
            let orders = try await demo.rows("purchase_order")
            #expect(orders.count == 3)
        }
    }

    @Test(arguments: StoreKind.available)
    func updateChecksItsPreconditionAndChangesTheChecksum(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let checksum = try await demo.checksum("product", "103")
            let missing = await #expect(throws: RestableError.self) {
                try await demo.engine.update(UpdateRequest(resource: "product", key: .parts(["103"]), values: ["price": .integer(300)]))
            }
            #expect(missing?.code == .checksumRequired)
            let updated = try await demo.engine.update(
                UpdateRequest(resource: "product", key: .parts(["103"]), values: ["price": .integer(300)], precondition: .checksum(checksum)))
            #expect(updated["price"] == .decimal(300))
            #expect(try await demo.checksum("product", "103") != checksum)
            let stale = await #expect(throws: RestableError.self) {
                try await demo.engine.update(
                    UpdateRequest(resource: "product", key: .parts(["103"]), values: ["price": .integer(1)], precondition: .checksum(checksum)))
            }
            #expect(stale?.code == .checksumMismatch)
            let gone = await #expect(throws: RestableError.self) {
                try await demo.engine.update(UpdateRequest(resource: "customer", key: .parts(["Nobody"]), values: ["balance": .integer(1)]))
            }
            #expect(gone?.code == .notFound)
        }
    }

    @Test func theSeedIsLoadedOnlyIntoTablesCreatedOnThisStart() async throws {
        let demo = try await DemoStore.open(.sqliteFile)
        _ = try await demo.engine.delete(DeleteRequest(resource: "customer", key: .parts(["New Customer"])))
        await demo.store.close()
        let reopened = try await DemoStore.reopen(demo)
        #expect(try await reopened.rows("customer").count == 3)
        await reopened.close()
    }
}

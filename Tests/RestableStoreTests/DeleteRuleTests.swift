import RestableApp
import RestableCore
import Testing

/// "The rules of a delete" for one row, against each real store.
@Suite struct DeleteRuleTests {
    @Test(arguments: StoreKind.available)
    func deletesARowWithoutDependents(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.delete(DeleteRequest(resource: "customer", key: .parts(["New Customer"])))
            #expect(outcome.changes.map(\.verb) == [.delete])
            #expect(outcome.changes[0].row["credit_limit"] == .decimal(1000))
            #expect(try await demo.rows("customer").count == 3)
        }
    }

    @Test(arguments: StoreKind.available)
    func cascadeDeletesDescendantsRecursively(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.delete(DeleteRequest(resource: "customer", key: .parts(["Golf Industries"])))
            let touched = outcome.changes.map { "\($0.verb.rawValue) \($0.resource) \($0.key)" }
            #expect(touched == [
                "DELETE customer Golf Industries", "DELETE purchase_order 1", "DELETE purchase_order 2",
                "DELETE line_item 1,1", "DELETE line_item 1,2", "DELETE line_item 2,1",
            ])
            #expect(try await demo.rows("purchase_order").map { $0["order_id"] } == [.integer(3)])
            #expect(try await demo.rows("line_item").count == 1)
            #expect(outcome.changes.allSatisfy { $0.checksum.hasPrefix("A:") })
        }
    }

    @Test(arguments: StoreKind.available)
    func restrictRefusesAndNamesTheDependents(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let before = try await demo.snapshot()
            let error = await #expect(throws: RestableError.self) {
                try await demo.engine.delete(DeleteRequest(resource: "advertiser", key: .parts(["3"])))
            }
            #expect(error?.code == .restricted)
            #expect(error?.blockers == [
                BlockingDependents(resource: "campaign", columns: ["advertiser_id"], count: 2, keys: [Key([.integer(1)]), Key([.integer(2)])])
            ])
            #expect(error?.message.contains("2 campaign rows") == true)
            #expect(try await demo.snapshot() == before)
        }
    }

    @Test(arguments: StoreKind.available)
    func restrictDeepInACascadeRollsEverythingBack(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            // product 101 is used by line items; a required checksum is overridden.
            let before = try await demo.snapshot()
            let error = await #expect(throws: RestableError.self) {
                try await demo.engine.delete(DeleteRequest(resource: "product", key: .parts(["101"]), precondition: .override))
            }
            #expect(error?.code == .restricted)
            #expect(error?.blockers.first?.keys == [Key([.integer(1), .integer(1)]), Key([.integer(2), .integer(1)])])
            #expect(try await demo.snapshot() == before)
        }
    }

    @Test(arguments: StoreKind.available)
    func setNullClearsTheChildrensForeignKey(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.delete(DeleteRequest(resource: "user", key: .parts(["2"])))
            #expect(outcome.changes.map { "\($0.verb.rawValue) \($0.resource) \($0.key)" } == [
                "DELETE user 2", "UPDATE campaign 1", "UPDATE campaign 2",
            ])
            #expect(outcome.changes[1].row["created_by"] == .integer(2), "the summary holds the values before the change")
            let campaigns = try await demo.rows("campaign")
            #expect(campaigns.map { $0["created_by"] } == [.null, .null, .integer(3)])
        }
    }

    @Test(arguments: StoreKind.available)
    func missingRowIsNotFoundUnlessIgnored(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let error = await #expect(throws: RestableError.self) {
                try await demo.engine.delete(DeleteRequest(resource: "customer", key: .parts(["Nobody"])))
            }
            #expect(error?.code == .notFound)
            let outcome = try await demo.engine.delete(
                DeleteRequest(resource: "customer", key: .parts(["Nobody"]), ignoreMissing: true))
            #expect(outcome.changes.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func staleChecksumChangesNothing(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let checksum = try await demo.checksum("customer", "Bravo Hardware")
            _ = try await demo.engine.update(
                UpdateRequest(resource: "customer", key: .parts(["Bravo Hardware"]), values: ["balance": .integer(5)]))
            let error = await #expect(throws: RestableError.self) {
                try await demo.engine.delete(
                    DeleteRequest(resource: "customer", key: .parts(["Bravo Hardware"]), precondition: .checksum(checksum)))
            }
            #expect(error?.code == .checksumMismatch)
            #expect(try await demo.row("customer", "Bravo Hardware")["balance"] == .decimal(5))
            let fresh = try await demo.checksum("customer", "Bravo Hardware")
            let outcome = try await demo.engine.delete(
                DeleteRequest(resource: "customer", key: .parts(["Bravo Hardware"]), precondition: .checksum(fresh)))
            #expect(outcome.changes.count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func requiredLockingNeedsAChecksum(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let error = await #expect(throws: RestableError.self) {
                try await demo.engine.delete(DeleteRequest(resource: "product", key: .parts(["105"])))
            }
            #expect(error?.code == .checksumRequired)
            let checksum = try await demo.checksum("product", "105")
            _ = try await demo.engine.delete(DeleteRequest(resource: "product", key: .parts(["105"]), precondition: .checksum(checksum)))
            _ = try await demo.engine.delete(DeleteRequest(resource: "product", key: .parts(["104"]), precondition: .override))
            #expect(try await demo.rows("product").count == 3)
        }
    }

    @Test(arguments: StoreKind.available)
    func compositeKeyDeletesOneLine(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.delete(DeleteRequest(resource: "line_item", key: .parts(["1", "2"])))
            #expect(outcome.changes.map(\.key) == [Key([.integer(1), .integer(2)])])
            #expect(try await demo.rows("line_item").count == 3)
        }
    }

    @Test(arguments: StoreKind.available)
    func malformedKeyFailsBeforeTouchingData(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            for parts in [["x"], ["1", "2"]] {
                let error = await #expect(throws: RestableError.self) {
                    try await demo.engine.delete(DeleteRequest(resource: "advertiser", key: .parts(parts)))
                }
                #expect(error?.code == .invalidKey)
            }
        }
    }

    @Test func checksumIsTheSameAfterReopeningTheFile() async throws {
        let demo = try await DemoStore.open(.sqliteFile)
        let before = try await demo.checksum("customer", "Golf Industries")
        await demo.store.close()
        let reopened = try await DemoStore.reopen(demo)
        #expect(try await reopened.checksum("customer", "Golf Industries") == before)
        await reopened.close()
    }
}

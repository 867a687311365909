import RestableCore
import Testing

/// Mixed batches: order, visibility of earlier operations, strict and lenient outcomes.
@Suite struct BatchTests {
    @Test(arguments: StoreKind.available)
    func operationsRunInOrderAndSeeEachOther(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.batch(
                BatchRequest(operations: [
                    .insert(resource: "customer", values: ["name": .text("Zed"), "balance": .integer(1)]),
                    .insert(resource: "purchase_order", values: ["order_id": .integer(10), "customer_name": .text("Zed")]),
                    .update(resource: "customer", key: .parts(["Zed"]), values: ["balance": .integer(2)], precondition: .none),
                    .delete(resource: "user", key: .parts(["2"]), precondition: .none),
                    .delete(resource: "customer", key: .parts(["Zed"]), precondition: .none),
                ]))
            #expect(outcome.kind == .all)
            #expect(outcome.succeeded == 5)
            #expect(outcome.changes.map { "\($0.verb.rawValue) \($0.resource) \($0.key)" } == [
                "INSERT customer Zed", "INSERT purchase_order 10", "UPDATE customer Zed", "DELETE user 2", "UPDATE campaign 1",
                "UPDATE campaign 2", "DELETE customer Zed", "DELETE purchase_order 10",
            ])
            #expect(outcome.changes[2].row["balance"] == .decimal(2), "a batch update reports the new values")
            #expect(try await demo.rows("customer").count == 4)
        }
    }

    @Test(arguments: StoreKind.available)
    func strictFailureRollsBackEveryOperation(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let before = try await demo.snapshot()
            let outcome = try await demo.engine.batch(
                BatchRequest(operations: [
                    .delete(resource: "user", key: .parts(["1"]), precondition: .none),
                    .delete(resource: "advertiser", key: .parts(["3"]), precondition: .none),
                    .insert(resource: "contact_group", values: ["name": .text("Test Group 1")]),
                    .update(resource: "product", key: .parts(["101"]), values: ["price": .integer(1)], precondition: .checksum("A:0")),
                ]))
            #expect(outcome.kind == .none)
            #expect(outcome.failures.map(\.index) == [1, 2, 3])
            #expect(outcome.failures.map(\.error.code) == [.restricted, .duplicateKey, .checksumMismatch])
            #expect(try await demo.snapshot() == before)
        }
    }

    @Test(arguments: StoreKind.available)
    func lenientKeepsWhatWorked(kind: StoreKind) async throws {
        try await withDemo(kind) { demo in
            let outcome = try await demo.engine.batch(
                BatchRequest(
                    operations: [
                        .delete(resource: "user", key: .parts(["1"]), precondition: .none),
                        .delete(resource: "user", key: .parts(["1"]), precondition: .none),
                    ], options: DeleteOptions(handling: .lenient)))
            #expect(outcome.kind == .partial)
            #expect(outcome.failures.map(\.error.code) == [.notFound])
            #expect(outcome.failures.first?.index == 1)
        }
    }

    @Test func malformedOperationsFailTheRequestNamingTheOperation() async throws {
        try await withDemo(.sqliteMemory) { demo in
            let error = await #expect(throws: RestableError.self) {
                try await demo.engine.batch(
                    BatchRequest(operations: [
                        .delete(resource: "user", key: .parts(["1"]), precondition: .none),
                        .insert(resource: "user", values: ["colour": .text("red")]),
                    ]))
            }
            #expect(error?.code == .unknownColumn)
            #expect(error?.message.hasPrefix("operation 1: ") == true)
        }
    }
}

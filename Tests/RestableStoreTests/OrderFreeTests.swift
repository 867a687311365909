import Foundation
import Logging
import RestableApp
import RestableCore
import RestableSQLite
import Testing

/// The outcome of a delete is a function of the schema, the data and the set of targets, never
/// of the order of keys or of declared relationships (DELETE-SEMANTICS.md §2): the regression
/// cases from issue 8, as plain tests.
@Suite struct OrderFreeTests {
    static let tree = """
        database: "sqlite::memory:"
        resources:
          node: { key: id, columns: { id: integer, parent_id: integer } }
        relationships:
          - { parent: node, child: node, columns: [parent_id], onDelete: restrict }
        seed:
          node: [{ id: 1 }, { id: 2, parent_id: 1 }, { id: 3, parent_id: 2 }]
        """

    static func keys(_ ids: [Int64]) -> DeleteSelection {
        .keys(KeyList(ids.map { KeyedTarget(key: .values([.integer($0)])) }))
    }

    @Test(arguments: [[1, 2, 3], [3, 2, 1], [2, 1, 3], [2, 3, 1]] as [[Int64]])
    func aSelfReferencingRestrictIgnoresRowsTheSameRequestDeletes(order: [Int64]) async throws {
        let (engine, store) = try await CustomSchemaTests.engine(Self.tree)
        let outcome = try await engine.deleteMany(BulkDeleteRequest(resource: "node", selection: Self.keys(order)))
        #expect(outcome.kind == .all)
        #expect(outcome.changes.map(\.key) == [1, 2, 3].map { Key([.integer($0)]) })
        #expect(try await engine.list(ListRequest(resource: "node")).isEmpty)
        await store.close()
    }

    @Test func allEmptiesASelfReferencingTable() async throws {
        let (engine, store) = try await CustomSchemaTests.engine(Self.tree)
        let outcome = try await engine.deleteMany(BulkDeleteRequest(resource: "node", selection: .everyRow(.none)))
        #expect(outcome.kind == .all)
        #expect(outcome.counts.count(.delete, of: "node") == 3)
        #expect(try await engine.list(ListRequest(resource: "node")).isEmpty)
        await store.close()
    }

    @Test(arguments: [[1, 2], [2, 1]] as [[Int64]])
    func aRowThatStaysStillBlocks(order: [Int64]) async throws {
        let (engine, store) = try await CustomSchemaTests.engine(Self.tree)
        let outcome = try await engine.deleteMany(BulkDeleteRequest(resource: "node", selection: Self.keys(order)))
        #expect(outcome.kind == .none)
        #expect(outcome.failures.map(\.key) == [Key([.integer(2)])])
        #expect(outcome.failures.allSatisfy { $0.error.code == .restricted })
        #expect(try await engine.list(ListRequest(resource: "node")).count == 3)
        let lenient = try await engine.deleteMany(
            BulkDeleteRequest(resource: "node", selection: Self.keys(order), options: DeleteOptions(handling: .lenient)))
        #expect(lenient.kind == .none)
        #expect(Set(lenient.failures.compactMap(\.key)) == [Key([.integer(1)]), Key([.integer(2)])])
        await store.close()
    }

    /// An order whose lines cascade to both its notes and its lines' notes: a note that the same
    /// delete removes never blocks its line, whichever relationship the YAML declares first.
    static func orders(_ relationships: [String]) -> String {
        """
        database: "sqlite::memory:"
        resources:
          orders: { key: id, columns: { id: integer } }
          line: { key: id, columns: { id: integer, order_id: integer required } }
          note: { key: id, columns: { id: integer, order_id: integer required, line_id: integer required } }
        relationships:
        \(relationships.map { "  - " + $0 }.joined(separator: "\n"))
        seed:
          orders: [{ id: 1 }]
          line: [{ id: 10, order_id: 1 }]
          note: [{ id: 100, order_id: 1, line_id: 10 }]
        """
    }

    @Test func aRestrictUnderACascadeDoesNotDependOnDeclarationOrder() async throws {
        let declared = [
            "{ parent: orders, child: line, columns: [order_id], onDelete: cascade }",
            "{ parent: orders, child: note, columns: [order_id], onDelete: cascade }",
            "{ parent: line, child: note, columns: [line_id], onDelete: restrict }",
        ]
        var summaries: [[String]] = []
        for relationships in [declared, [declared[1], declared[0], declared[2]], declared.reversed()] {
            let (engine, store) = try await CustomSchemaTests.engine(Self.orders(relationships))
            let outcome = try await engine.delete(DeleteRequest(resource: "orders", key: .parts(["1"])))
            summaries.append(outcome.changes.map { "\($0.verb.rawValue) \($0.resource) \($0.key)" })
            #expect(try await engine.list(ListRequest(resource: "note")).isEmpty)
            await store.close()
        }
        #expect(summaries.allSatisfy { $0 == ["DELETE orders 1", "DELETE line 10", "DELETE note 100"] })
    }
}

/// A request cancelled before it commits (its client went away) changes nothing.
@Suite struct CancellationTests {
    @Test func aCancelledDeleteRollsBack() async throws {
        let (engine, store) = try await CustomSchemaTests.engine(OrderFreeTests.tree)
        let task = Task {
            try await engine.deleteMany(BulkDeleteRequest(resource: "node", selection: .everyRow(.none)))
        }
        task.cancel()
        let result = await task.result
        #expect(throws: RestableError.self) { try result.get() }
        if case .failure(let error as RestableError) = result { #expect(error.code == .cancelled) }
        #expect(try await engine.list(ListRequest(resource: "node")).count == 3)
        await store.close()
    }
}

/// A lenient delete over a chain of refusals plans once per link: the rounds are bounded.
@Suite struct LenientRoundsTests {
    /// Nodes 1...n, each the parent (restrict) of the next, and node n + 1, which no request names.
    static func chain(_ count: Int) -> String {
        let nodes = (1...(count + 1)).map { $0 == 1 ? "{ id: 1 }" : "{ id: \($0), parent_id: \($0 - 1) }" }
        return """
            database: "sqlite::memory:"
            resources:
              node: { key: id, columns: { id: integer, parent_id: integer } }
            relationships:
              - { parent: node, child: node, columns: [parent_id], onDelete: restrict }
            seed:
              node: [\(nodes.joined(separator: ", "))]
            """
    }

    @Test func aShortChainIsRefusedLinkByLink() async throws {
        let (engine, store) = try await CustomSchemaTests.engine(Self.chain(10))
        let outcome = try await engine.deleteMany(
            BulkDeleteRequest(resource: "node", selection: OrderFreeTests.keys(Array(1...10)), options: DeleteOptions(handling: .lenient)))
        #expect(outcome.kind == .none)
        #expect(outcome.failureCount == 10)
        #expect(outcome.failures.allSatisfy { $0.error.code == .restricted })
        await store.close()
    }

    @Test func aChainLongerThanTheRoundLimitIsRefusedAsAWhole() async throws {
        let length = Engine.maximumLenientRounds + 8
        let (engine, store) = try await CustomSchemaTests.engine(Self.chain(length))
        let error = await #expect(throws: RestableError.self) {
            try await engine.deleteMany(
                BulkDeleteRequest(
                    resource: "node", selection: OrderFreeTests.keys(Array(1...Int64(length))), options: DeleteOptions(handling: .lenient)))
        }
        #expect(error?.code == .planTooLarge)
        let strict = try await engine.deleteMany(
            BulkDeleteRequest(resource: "node", selection: OrderFreeTests.keys(Array(1...Int64(length)))))
        #expect(strict.kind == .none)
        #expect(strict.failures.map(\.key) == [Key([.integer(Int64(length))])], "strict needs one round")
        #expect(try await engine.list(ListRequest(resource: "node")).count == length + 1)
        await store.close()
    }
}

/// Cases the reference model found, shrunk, as plain tests.
@Suite struct ModelFindingsTests {
    /// Two rows that name each other through a set-null of a required column (and themselves
    /// through a restrict): deleting both is allowed, as neither stays. The engine used to let the
    /// database's ON DELETE SET NULL fire row by row, which hit the NOT NULL column of the row
    /// still to be deleted.
    @Test func rowsThatNameEachOtherThroughARequiredSetNullGoTogether() async throws {
        let node = Resource(
            name: "r0", key: ["id"],
            columns: [
                Column(name: "id", type: .integer), Column(name: "f1", type: .integer, required: true),
                Column(name: "f2", type: .integer),
            ])
        let schema = Schema(
            resources: [node],
            relationships: [
                Relationship(parent: "r0", child: "r0", columns: ["f1"], onDelete: .setNull),
                Relationship(parent: "r0", child: "r0", columns: ["f2"], onDelete: .restrict),
            ])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try SQLiteStore(.memory, logger: logger)
        _ = try await store.prepare(schema, seed: [])
        try await store.write { session in
            _ = try await session.insert(node, values: ["id": .integer(1), "f1": .integer(2), "f2": .integer(1)])
            _ = try await session.insert(node, values: ["id": .integer(2), "f1": .integer(1), "f2": .integer(2)])
        }
        let engine = Engine(schema: schema, store: store, logger: logger)
        let outcome = try await engine.deleteMany(
            BulkDeleteRequest(resource: "r0", selection: OrderFreeTests.keys([2, 1]), options: DeleteOptions(handling: .lenient)))
        #expect(outcome.kind == .all)
        #expect(outcome.changes.map(\.key) == [Key([.integer(1)]), Key([.integer(2)])])
        #expect(try await engine.list(ListRequest(resource: "r0")).isEmpty)
        await store.close()
    }
}

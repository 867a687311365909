import Logging
import RestableApp
import RestableCore
import Testing

/// Deletes bigger than one chunk and one statement's bind limit, with set-based cascades.
@Suite struct ScaleTests {
    static let yaml = """
        database: "sqlite::memory:"
        resources:
          parent: { key: id, columns: { id: integer, label: text } }
          child: { key: [parent_id, n], columns: { parent_id: integer, n: integer } }
        relationships:
          - { parent: parent, child: child, columns: [parent_id], onDelete: cascade }
        """

    @Test func twelveThousandTargetsWithThirtySixThousandDescendants() async throws {
        let configuration = try ConfigurationLoader.parse(Self.yaml, file: "scale.yaml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (engine, store) = try await buildEngine(configuration, logger: logger)
        var operations: [BatchOperation] = []
        for id in 1...12_000 {
            operations.append(.insert(resource: "parent", values: ["id": .integer(Int64(id))]))
            for n in 1...3 { operations.append(.insert(resource: "child", values: ["parent_id": .integer(Int64(id)), "n": .integer(Int64(n))])) }
        }
        let loaded = try await engine.batch(BatchRequest(operations: operations, options: DeleteOptions(summaryLimit: 0)))
        #expect(loaded.succeeded == 48_000)

        let keys = (1...12_001).map { KeyedTarget(key: .values([.integer(Int64($0))])) }
        let strict = try await engine.deleteMany(BulkDeleteRequest(resource: "parent", selection: .keys(KeyList(keys))))
        #expect(strict.kind == .none)
        #expect(strict.failures.map(\.key?.description) == ["12001"])
        #expect(try await engine.list(ListRequest(resource: "child")).count == 36_000)

        let outcome = try await engine.deleteMany(
            BulkDeleteRequest(resource: "parent", selection: .keys(KeyList(keys)), options: DeleteOptions(ignoreMissing: true)))
        #expect(outcome.kind == .all)
        #expect(outcome.succeeded == 12_000)
        #expect(outcome.counts.count(.delete, of: "child") == 36_000)
        #expect(outcome.changes.count == Engine.defaultSummaryLimit)
        #expect(outcome.truncated)
        #expect(try await engine.list(ListRequest(resource: "child")).isEmpty)
        await store.close()
    }
}

import Foundation
import Logging
import RestableApp
import RestableCore
import Testing

/// The journal of deletes and its undo, on every store: the rows a delete took, three levels
/// deep with a set-null, come back with the checksums they had; what stands in the way of an
/// exact undo refuses it whole.
@Suite struct JournalTests {
    static let customer = Resource(
        name: "customer", key: ["id"],
        columns: [Column(name: "id", type: .integer), Column(name: "name", type: .text), Column(name: "credit", type: .decimal)])
    static let order = Resource(
        name: "order", key: ["id"],
        columns: [Column(name: "id", type: .integer), Column(name: "customer_id", type: .integer), Column(name: "weight", type: .real)])
    static let line = Resource(
        name: "line", key: ["id"], columns: [Column(name: "id", type: .integer), Column(name: "order_id", type: .integer), Column(name: "note", type: .text)])
    static let ticket = Resource(
        name: "ticket", key: ["id"], columns: [Column(name: "id", type: .integer), Column(name: "customer_id", type: .integer), Column(name: "open", type: .boolean)])
    static let schema = Schema(
        resources: [customer, order, line, ticket],
        relationships: [
            Relationship(parent: "customer", child: "order", columns: ["customer_id"], onDelete: .cascade),
            Relationship(parent: "order", child: "line", columns: ["order_id"], onDelete: .cascade),
            Relationship(parent: "customer", child: "ticket", columns: ["customer_id"], onDelete: .setNull),
        ])

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func engine(_ kind: StoreKind) async throws -> (Engine, any Store) {
        var configuration = try ConfigurationLoader.parse("database: \"sqlite::memory:\"\nresources:\n  x: { key: id, columns: { id: integer } }\n", file: "test.yaml")
        let (store, _) = try await kind.store(for: &configuration, logger: logger)
        _ = try await store.prepare(schema, seed: [])
        _ = try await store.prepare(RestableTables.journalSchema, seed: [])
        var engine = Engine(schema: schema, store: store, logger: logger)
        engine.journal = JournalSettings()
        let rows: [BatchOperation] = [
            .insert(resource: "customer", values: ["id": .integer(1), "name": .text("Ann \"A\"\n"), "credit": .decimal(DecimalNumber("10.50")!)]),
            .insert(resource: "customer", values: ["id": .integer(2), "name": .text("Bob"), "credit": .null]),
            .insert(resource: "order", values: ["id": .integer(10), "customer_id": .integer(1), "weight": .real(0.1 + 0.2)]),
            .insert(resource: "order", values: ["id": .integer(11), "customer_id": .integer(1), "weight": .real(-1e-300)]),
            .insert(resource: "line", values: ["id": .integer(100), "order_id": .integer(10), "note": .text("é")]),
            .insert(resource: "line", values: ["id": .integer(101), "order_id": .integer(11), "note": .null]),
            .insert(resource: "ticket", values: ["id": .integer(7), "customer_id": .integer(1), "open": .boolean(true)]),
            .insert(resource: "ticket", values: ["id": .integer(8), "customer_id": .integer(2), "open": .boolean(false)]),
        ]
        _ = try await engine.batch(BatchRequest(operations: rows))
        return (engine, store)
    }

    /// Every row of every resource with its checksum.
    static func snapshot(_ engine: Engine) async throws -> [String] {
        var all: [String] = []
        for resource in schema.resources {
            for row in try await engine.list(ListRequest(resource: resource.name)) {
                all.append("\(resource.name) \(row.key(in: resource)) \(Checksum.of(row, in: resource))")
            }
        }
        return all
    }

    @Test(arguments: StoreKind.available, [0, 1_000])
    func anUndoPutsBackACascadeThreeLevelsDeepAndItsSetNull(kind: StoreKind, summaryLimit: Int) async throws {
        let (engine, store) = try await Self.engine(kind)
        let before = try await Self.snapshot(engine)
        let outcome = try await engine.deleteMany(
            BulkDeleteRequest(resource: "customer", selection: .keys(KeyList([KeyedTarget(key: .parts(["1"]))])), options: DeleteOptions(summaryLimit: summaryLimit)))
        #expect(outcome.counts.total == 6)
        let id = try #require(outcome.transaction)
        #expect(try await Self.snapshot(engine) != before)

        let (transaction, entries) = try await engine.transaction(id)
        #expect(transaction.action == "delete" && transaction.resource == "customer" && transaction.complete && transaction.undoneBy == nil)
        #expect(Set(entries.map { "\($0.action.rawValue) \($0.resource) \($0.rows.count)" }) == ["UPDATE ticket 1", "DELETE customer 1", "DELETE order 2", "DELETE line 2"])
        #expect(try await engine.transactions(TransactionQuery()).map(\.id).contains(id))

        let dry = try await engine.undo(UndoRequest(transaction: id, dryRun: true))
        #expect(dry.dryRun && dry.counts.total == 6)
        #expect(try await Self.snapshot(engine) != before)

        let undo = try await engine.undo(UndoRequest(transaction: id))
        #expect(undo.counts.count(.insert, of: "customer") == 1 && undo.counts.count(.update, of: "ticket") == 1)
        #expect(try await Self.snapshot(engine) == before)
        #expect(try await engine.transaction(id).0.undoneBy == undo.transaction)

        let again = await #expect(throws: RestableError.self) { try await engine.undo(UndoRequest(transaction: id)) }
        #expect(again?.code == .undoConflict && again?.conflicts.map(\.kind) == [.alreadyUndone])
        let ofUndo = await #expect(throws: RestableError.self) { try await engine.undo(UndoRequest(transaction: undo.transaction!)) }
        #expect(ofUndo?.conflicts.map(\.kind) == [.isUndo])
        await store.close()
    }

    /// A delete of keys of a resource nothing depends on, without a summary, has the store write
    /// the journal's text as it reads the rows: the same rows, every value exact (text that is not
    /// ASCII, null, booleans), the missing keys named, and the undo exact.
    @Test(arguments: StoreKind.available)
    func aDirectDeleteWithoutASummaryIsJournaledExactly(kind: StoreKind) async throws {
        let (engine, store) = try await Self.engine(kind)
        _ = try await engine.batch(
            BatchRequest(operations: [
                .insert(resource: "line", values: ["id": .integer(-9_223_372_036_854_775_808), "order_id": .integer(11), "note": .text("q\"\\\u{1}\t😀")]),
                .insert(resource: "line", values: ["id": .integer(102), "order_id": .null, "note": .text("")]),
            ]))
        let before = try await Self.snapshot(engine)
        let lines = try await engine.list(ListRequest(resource: "line"))
        let tickets = try await engine.list(ListRequest(resource: "ticket"))
        for (resource, keys, rows) in [("line", ["100", "999", "101", "-9223372036854775808", "102"], lines), ("ticket", ["7", "8", "6"], tickets)] {
            let outcome = try await engine.deleteMany(
                BulkDeleteRequest(
                    resource: resource, selection: .keys(KeyList(keys.map { KeyedTarget(key: .parts([$0])) })),
                    options: DeleteOptions(handling: .lenient, summaryLimit: 0)))
            #expect(outcome.counts.total == rows.count)
            #expect(outcome.failures.map { "\($0.index.map(String.init) ?? "-") \($0.error.code)" } == [resource == "line" ? "1 notFound" : "2 notFound"])
            let (_, entries) = try await engine.transaction(try #require(outcome.transaction))
            #expect(entries.count == 1)
            #expect(Set(entries[0].rows) == Set(rows))
        }
        #expect(try await engine.list(ListRequest(resource: "line")).isEmpty)
        for transaction in try await engine.transactions(TransactionQuery()) { _ = try await engine.undo(UndoRequest(transaction: transaction.id)) }
        #expect(try await Self.snapshot(engine) == before)
        await store.close()
    }

    @Test(arguments: StoreKind.available)
    func eachConflictRefusesTheWholeUndoAndChangesNothing(kind: StoreKind) async throws {
        let (engine, store) = try await Self.engine(kind)
        let outcome = try await engine.delete(DeleteRequest(resource: "customer", key: .parts(["1"])))
        let id = try #require(outcome.transaction)
        // A newer row takes a key, the set-null child changes, a line's parent order is
        // recreated under another customer... each is named.
        _ = try await engine.create(CreateRequest(resource: "order", values: ["id": .integer(10), "customer_id": .integer(2), "weight": .real(1)]))
        _ = try await engine.update(UpdateRequest(resource: "ticket", key: .parts(["7"]), values: ["open": .boolean(false)]))
        let after = try await Self.snapshot(engine)
        let error = await #expect(throws: RestableError.self) { try await engine.undo(UndoRequest(transaction: id)) }
        #expect(error?.code == .undoConflict)
        #expect(Set(error?.conflicts.map { "\($0.kind) \($0.resource ?? "-") \($0.key.map { "\($0)" } ?? "-")" } ?? []) == ["keyTaken order 10", "changedSince ticket 7"])
        #expect(try await Self.snapshot(engine) == after)

        // A parent that is gone: undoing only the order's delete after the customer went.
        let (engine2, store2) = try await Self.engine(kind)
        let orderGone = try await engine2.delete(DeleteRequest(resource: "order", key: .parts(["11"])))
        _ = try await engine2.delete(DeleteRequest(resource: "customer", key: .parts(["1"])))
        let missing = await #expect(throws: RestableError.self) { try await engine2.undo(UndoRequest(transaction: orderGone.transaction!)) }
        #expect(missing?.conflicts.map(\.kind) == [.parentMissing])
        await store.close()
        await store2.close()
    }

    /// Retention: a transaction goes once it is older than the shortest retention among the
    /// resources it touched; a dry run counts without removing; `olderThan` overrides.
    @Test(arguments: StoreKind.available)
    func retentionPurgesExactlyWhatIsOld(kind: StoreKind) async throws {
        var (engine, store) = try await Self.engine(kind)
        let day: Int64 = 86_400_000
        let start: Int64 = 1_800_000_000_000
        engine.journal = JournalSettings(retention: RetentionPeriod(parsing: "30d")!, retentionByResource: ["ticket": RetentionPeriod(parsing: "2d")!])
        engine.clock = { start }
        // Touches customer and ticket (a set-null): kept 2 days.
        let short = try #require(try await engine.delete(DeleteRequest(resource: "customer", key: .parts(["2"]))).transaction)
        // Touches order and line: kept 30 days.
        let long = try #require(try await engine.delete(DeleteRequest(resource: "order", key: .parts(["11"]))).transaction)
        engine.clock = { start + 10 * day }
        let young = try #require(try await engine.delete(DeleteRequest(resource: "line", key: .parts(["100"]))).transaction)
        func ids() async throws -> Set<String> { Set(try await engine.transactions(TransactionQuery(limit: 100)).map(\.id)) }
        #expect(try await ids() == [short, long, young])

        engine.clock = { start + 2 * day }
        #expect(try await engine.purgeJournal().transactions == 0)
        engine.clock = { start + 2 * day + 1 }
        let dry = try await engine.purgeJournal(dryRun: true)
        #expect(dry.transactions == 1 && dry.entries == 2 && dry.rows == 2 && dry.dryRun)
        #expect(try await ids() == [short, long, young])
        let purged = try await engine.purgeJournal()
        #expect(purged.transactions == 1 && purged.entries == 2 && purged.rows == 2)
        #expect(try await ids() == [long, young])
        let gone = await #expect(throws: RestableError.self) { try await engine.undo(UndoRequest(transaction: short)) }
        #expect(gone?.code == .notFound)

        engine.clock = { start + 31 * day }
        #expect(try await engine.purgeJournal().transactions == 1)
        #expect(try await ids() == [young])
        #expect(try await engine.purgeJournal(olderThan: RetentionPeriod(parsing: "22d")!).transactions == 0)
        #expect(try await engine.purgeJournal(olderThan: RetentionPeriod(parsing: "20d")!).transactions == 1)
        #expect(try await ids() == [])
        await store.close()
    }

    /// More transactions than a page: every one old enough goes, none younger.
    @Test(arguments: StoreKind.available)
    func aPurgeReadsPageAfterPage(kind: StoreKind) async throws {
        var (engine, store) = try await Self.engine(kind)
        engine.clock = { 1_800_000_000_000 }
        var operations: [BatchOperation] = []
        for id in 1_000..<(1_000 + Engine.purgePageSize + 20) { operations.append(.insert(resource: "ticket", values: ["id": .integer(Int64(id))])) }
        _ = try await engine.batch(BatchRequest(operations: operations))
        for id in 1_000..<(1_000 + Engine.purgePageSize + 20) {
            _ = try await engine.delete(DeleteRequest(resource: "ticket", key: .parts([String(id)])))
        }
        engine.clock = { 1_800_000_000_000 + 86_400_000 }
        _ = try await engine.delete(DeleteRequest(resource: "ticket", key: .parts(["7"])))
        engine.clock = { 1_800_000_000_000 + 31 * 86_400_000 }
        let report = try await engine.purgeJournal()
        #expect(report.transactions == Engine.purgePageSize + 20 && report.rows == Engine.purgePageSize + 20)
        #expect(try await engine.transactions(TransactionQuery(limit: 1_000)).count == 1)
        await store.close()
    }

    @Test func retentionPeriodsParseStrictly() {
        #expect(RetentionPeriod(parsing: "30d")?.milliseconds == Int64(2_592_000_000))
        #expect(RetentionPeriod(parsing: "12h")?.milliseconds == Int64(43_200_000))
        #expect(RetentionPeriod(parsing: "90m")?.milliseconds == Int64(5_400_000))
        #expect(RetentionPeriod(parsing: "3600s")?.milliseconds == Int64(3_600_000))
        #expect(RetentionPeriod(parsing: "2w")?.milliseconds == Int64(1_209_600_000))
        for bad in ["", "d", "30", "0d", "-1d", "+1d", "1.5d", "30 d", " 30d", "30D", "30days", "1y", "١٢d", "99999999999d", "5300w"] {
            #expect(RetentionPeriod(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func theCodecReadsBackEveryValueExactly() throws {
        let rows: [[Value]] = [
            [.null, .integer(.min), .integer(.max), .real(0.1 + 0.2), .real(-0.0), .real(5e-324), .decimal(DecimalNumber("-0.000100")!)],
            [.text(""), .text("\"\\\n\t\u{1}é😀"), .boolean(true), .boolean(false)], [],
        ]
        let decoded = try JournalCodec.decode(JournalCodec.encode(rows))
        // The writer a store fills a cell at a time writes the same text.
        var writer = JournalCodec.Writer()
        for row in rows {
            writer.startRow()
            for value in row {
                switch value {
                case .integer(let number): writer.appendInteger(number)
                case .text(let text): Array(text.utf8).withUnsafeBytes { writer.appendText($0) }
                case .null: writer.appendNull()
                default: writer.append(value)
                }
            }
        }
        #expect(writer.text == JournalCodec.encode(rows) && writer.rowCount == 3)
        #expect(JournalCodec.Writer().text == JournalCodec.encode([]))
        #expect(decoded == rows)
        #expect(String(describing: decoded[0][4]) == String(describing: Value.real(-0.0)))
        for bad in ["", "[", "[[\"x1\"]]", "[[\"i1x\"]]", "[[1]]", "[[\"b2\"]]", "[] ", "[[null,]]"] {
            #expect(throws: JournalCorrupt.self) { try JournalCodec.decode(bad) }
        }
    }
}

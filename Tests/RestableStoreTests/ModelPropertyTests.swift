import Foundation
import Logging
import PropertyBased
import RestableCore
import RestableSQLite
import RestableTestSupport
import Testing

/// The engine against the reference model (DELETE-SEMANTICS.md §6) on random schemas, data
/// and requests: the same outcome, refused targets and codes, summary in order, counts, and
/// final database; permuting keys or relationships, or a dry run first, changes nothing.
///
/// The cases CI runs are fixed: scenario `i` has seed `i` of a SplitMix64 stream from
/// ``baseSeed`` and size `1 + i % 6`; a failing case is shrunk to the smallest size that still
/// fails and printed whole, to become a plain regression test.
/// `RESTABLE_MODEL_CASES=N swift test --filter ModelPropertyTests` also runs N random cases
/// through PropertyBased, which prints its seed and shrinks on failure.
@Suite struct ModelPropertyTests {
    static let baseSeed: UInt64 = 0x5245_5354_4142_4C45
    static let ciCases = 1_500

    /// The first cases again on PostgreSQL (each opens two scratch schemas, so fewer);
    /// `RESTABLE_MODEL_POSTGRES_CASES=N` runs N of them.
    static let postgresCases = Int(ProcessInfo.processInfo.environment["RESTABLE_MODEL_POSTGRES_CASES"] ?? "") ?? 150

    @Test func engineAgreesWithTheModel() async throws {
        try await Self.agree(cases: Self.ciCases, on: .sqliteMemory)
    }

    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func engineAgreesWithTheModelOnPostgres() async throws {
        try await Self.agree(cases: Self.postgresCases, on: .postgres)
    }

    /// Scenarios with resources that keep a trash: soft deletes, rows already in the trash,
    /// purges.
    @Test(arguments: StoreKind.available)
    func engineAgreesWithTheModelWithATrash(kind: StoreKind) async throws {
        try await Self.agree(cases: kind == .postgres ? Self.postgresCases / 2 : Self.ciCases / 2, on: kind, trash: true)
    }

    static func agree(cases: Int, on kind: StoreKind, trash: Bool = false) async throws {
        var seeds = Scenario.Random(state: trash ? Self.baseSeed ^ 0x5452_4153_48 : Self.baseSeed)
        // How many cases put rows in the trash, and how many purged some: both must be many.
        var (trashed, purged) = (0, 0)
        defer {
            if trash {
                #expect(trashed > cases / 10 && purged > cases / 25, "too few cases trash (\(trashed)) or purge (\(purged)) rows of \(cases)")
            }
        }
        for index in 0..<cases {
            let seed = seeds.next()
            let size = 1 + index % 6
            if trash {
                let scenario = Scenario(seed: seed, size: size, trash: true)
                let (outcome, _) = scenario.model.run(scenario.resource, scenario.selection, scenario.options)
                let soft = scenario.resources.first { $0.name == scenario.resource }?.softDelete != nil
                if outcome.succeeded > 0, soft { if scenario.options.purge { purged += 1 } else { trashed += 1 } }
            }
            let failed: Bool
            do {
                failed = try await Self.fails(Scenario(seed: seed, size: size, trash: trash), on: kind)
            } catch {
                Issue.record("case \(index) (seed \(seed), size \(size)) threw \(error)\n\(Scenario(seed: seed, size: size, trash: trash))")
                return
            }
            guard failed else { continue }
            var smallest = size
            for smaller in (1..<size).reversed() {
                if try await Self.fails(Scenario(seed: seed, size: smaller, trash: trash), on: kind) { smallest = smaller }
            }
            Issue.record(
                "case \(index) (seed \(seed), size \(smallest)) fails on \(kind); run it with Self.check(Scenario(seed: \(seed), size: \(smallest), trash: \(trash)), on: .\(kind))")
            try await Self.check(Scenario(seed: seed, size: smallest, trash: trash), on: kind)
            return
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["RESTABLE_MODEL_CASES"] != nil))
    func engineAgreesWithTheModelOnDemand() async throws {
        let count = Int(ProcessInfo.processInfo.environment["RESTABLE_MODEL_CASES"] ?? "") ?? 10_000
        // Every other case has resources that keep a trash.
        await propertyCheck(count: count, input: Gen.int(in: 0...Int.max), Gen.int(in: 1...10)) { seed, size in
            try await Self.check(Scenario(seed: UInt64(seed), size: size, trash: seed % 2 == 1))
        }
    }

    /// True when the scenario breaks a property (checked quietly, without recording issues).
    static func fails(_ scenario: Scenario, on kind: StoreKind) async throws -> Bool {
        let (expected, after) = scenario.model.run(scenario.resource, scenario.selection, scenario.options)
        var dry = scenario.options
        dry.dryRun = true
        let real = try await Self.withEngine(for: scenario, relationships: scenario.relationships, on: kind) { engine -> DeleteModel.Outcome? in
            let before = try await dump(engine, scenario)
            let dryRun = try await Self.run(engine, scenario, dry)
            guard try await dump(engine, scenario) == before else { return nil }
            let real = try await Self.run(engine, scenario, scenario.options)
            guard dryRun == real, real == expected, try await dump(engine, scenario) == after else { return nil }
            return real
        }
        guard let real else { return true }
        var random = Scenario.Random(state: 7)
        var permuted = scenario
        if case .keys(let keys) = scenario.selection {
            var seen = Set<Key>()
            permuted.selection = .keys(random.shuffle(keys.filter { seen.insert($0.0).inserted }))
        }
        return try await Self.withEngine(for: permuted, relationships: random.shuffle(scenario.relationships), on: kind) { other in
            let reordered = try await Self.run(other, permuted, scenario.options)
            let reorderedAfter = try await dump(other, scenario)
            return reordered != real || reorderedAfter != after
        }
    }

    /// Runs `body` on an engine over a fresh store holding the scenario, and closes the store.
    static func withEngine<T>(
        for scenario: Scenario, relationships: [Relationship], on kind: StoreKind, _ body: (Engine) async throws -> T
    ) async throws -> T {
        let (engine, store) = try await Self.engine(for: scenario, relationships: relationships, on: kind)
        do {
            let result = try await body(engine)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Runs one scenario through the engine (a dry run, then for real, then with the keys and
    /// the relationships permuted) and through the model, and compares.
    static func check(_ scenario: Scenario, on kind: StoreKind = .sqliteMemory) async throws {
        let (expected, after) = scenario.model.run(scenario.resource, scenario.selection, scenario.options)
        var dry = scenario.options
        dry.dryRun = true
        let (engine, store) = try await Self.engine(for: scenario, relationships: scenario.relationships, on: kind)
        let before = try await dump(engine, scenario)
        let dryRun = try await Self.run(engine, scenario, dry)
        #expect(try await dump(engine, scenario) == before, "a dry run changed the database\n\(scenario)")
        let real = try await Self.run(engine, scenario, scenario.options)
        #expect(dryRun == real, "a dry run and the real run disagree\n\(scenario)")
        #expect(real == expected, "engine and model disagree\n\(scenario)")
        #expect(try await dump(engine, scenario) == after, "engine and model leave different databases\n\(scenario)")
        await store.close()

        var random = Scenario.Random(state: 7)
        var permuted = scenario
        if case .keys(let keys) = scenario.selection {
            var seen = Set<Key>()
            let firsts = keys.filter { seen.insert($0.0).inserted }
            permuted.selection = .keys(random.shuffle(firsts))
        }
        let (other, otherStore) = try await Self.engine(for: permuted, relationships: random.shuffle(scenario.relationships), on: kind)
        let reordered = try await Self.run(other, permuted, scenario.options)
        #expect(reordered == real, "permuting keys or relationships changed the outcome\n\(scenario)")
        #expect(try await dump(other, scenario) == after, "permuting keys or relationships changed the database\n\(scenario)")
        await otherStore.close()
    }

    static func engine(for scenario: Scenario, relationships: [Relationship], on kind: StoreKind = .sqliteMemory) async throws -> (Engine, any Store) {
        let schema = Schema(resources: scenario.resources, relationships: relationships)
        var logger = Logger(label: "model")
        logger.logLevel = .critical
        let store: any Store = kind == .postgres ? try await ScratchPostgresStore.create(logger: logger) : try SQLiteStore(.memory, logger: logger)
        _ = try await store.prepare(schema, seed: [])
        let rows = scenario.rows
        let resources = scenario.resources
        try await store.write { session in
            for resource in resources {
                for row in rows[resource.name]! { _ = try await session.insert(resource.stored, values: row.values) }
            }
        }
        return (Engine(schema: schema, store: store, summaryLimit: 100_000, logger: logger), store)
    }

    /// The journal against the model: a committed delete's journal holds exactly the rows the
    /// model says it deleted or set to null, and its undo leaves every row as it was before
    /// (the rule of an undo, stated simply: the database before the delete).
    /// With a trash, a soft delete's entries are `TRASH` where the model says `DELETE`, and its
    /// undo takes the rows out of the trash again.
    @Test(arguments: StoreKind.available, [false, true])
    func anUndoPutsBackWhatTheModelSaysADeleteTook(kind: StoreKind, trash: Bool) async throws {
        let cases = (kind == .postgres ? 60 : 400) / (trash ? 2 : 1)
        var seeds = Scenario.Random(state: Self.baseSeed ^ 0x4A4F_5552_4E41_4C ^ (trash ? 0x5452_4153_48 : 0))
        var undone = 0
        for index in 0..<cases {
            let scenario = Scenario(seed: seeds.next(), size: 1 + index % 6, trash: trash)
            let (expected, _) = scenario.model.run(scenario.resource, scenario.selection, scenario.options)
            var (engine, store) = try await Self.engine(for: scenario, relationships: scenario.relationships, on: kind)
            _ = try await store.prepare(RestableTables.journalSchema, seed: [])
            engine.journal = JournalSettings()
            let before = try await Self.dump(engine, scenario)
            let outcome = try await Self.committed(engine, scenario)
            if let outcome, let id = outcome.transaction {
                let (_, entries) = try await engine.transaction(id)
                var journaled: [String] = []
                for entry in entries {
                    let resource = try #require(scenario.resources.first { $0.name == entry.resource })
                    let verb = entry.action == .trash ? JournalAction.delete.rawValue : entry.action.rawValue
                    journaled += entry.rows.map { "\(verb) \(entry.resource) \($0.key(in: resource))" }
                }
                #expect(journaled.sorted() == expected.summary.sorted(), "the journal is not what the model says the delete took\n\(scenario)")
                _ = try await engine.undo(UndoRequest(transaction: id))
                #expect(try await Self.dump(engine, scenario) == before, "an undo did not put back the database as it was\n\(scenario)")
                undone += 1
            } else {
                #expect(outcome == nil || outcome!.counts.total == 0, "a delete that changed rows has no transaction\n\(scenario)")
            }
            await store.close()
        }
        #expect(undone > cases / 4, "too few scenarios committed a delete to undo (\(undone) of \(cases))")
    }

    /// The engine's outcome of a scenario's delete, or nil when it was refused whole.
    static func committed(_ unrestricted: Engine, _ scenario: Scenario) async throws -> ChangeOutcome? {
        let engine = scenario.access.map { unrestricted.acting(as: $0.engineAccess) } ?? unrestricted
        do {
            if case .batch(let operations) = scenario.selection {
                return try await engine.batch(
                    BatchRequest(
                        operations: operations.map { .delete(resource: scenario.resource, key: .values($0.0.values), precondition: $0.1) },
                        options: scenario.options))
            }
            return try await engine.deleteMany(
                BulkDeleteRequest(resource: scenario.resource, selection: Self.selection(scenario), options: scenario.options))
        } catch {
            guard [.forbidden, .overBudget, .tooManyAffected].contains(error.code) else { throw error }
            return nil
        }
    }

    /// A scenario's selection as the engine takes it (a batch has none).
    static func selection(_ scenario: Scenario) -> DeleteSelection {
        switch scenario.selection {
        case .keys(let keys): .keys(KeyList(keys.map { KeyedTarget(key: .values($0.0.values), precondition: $0.1) }))
        case .textEquals(let text, let precondition): .filter(.conjunction([.equals("v", text)]), precondition)
        case .everyRow(let precondition): .everyRow(precondition)
        case .batch: .everyRow(.none)
        }
    }

    static func run(_ unrestricted: Engine, _ scenario: Scenario, _ options: DeleteOptions) async throws -> DeleteModel.Outcome {
        let engine = scenario.access.map { unrestricted.acting(as: $0.engineAccess) } ?? unrestricted
        let selection = Self.selection(scenario)
        switch scenario.selection {
        case .keys, .textEquals, .everyRow:
            break
        case .batch(let operations):
            do {
                let outcome = try await engine.batch(
                    BatchRequest(
                        operations: operations.map { .delete(resource: scenario.resource, key: .values($0.0.values), precondition: $0.1) },
                        options: options))
                return Self.observed(outcome, byIndex: true)
            } catch {
                let code = error.code
                guard code == .forbidden || code == .overBudget else { throw error }
                return .refusal(code.description)
            }
        }
        do {
            let outcome = try await engine.deleteMany(BulkDeleteRequest(resource: scenario.resource, selection: selection, options: options))
            return Self.observed(outcome, byIndex: false)
        } catch {
            if error.code == .forbidden || error.code == .overBudget { return .refusal(error.code.description) }
            guard error.code == .tooManyAffected else { throw error }
            return DeleteModel.Outcome(kind: .none, failures: [:], summary: [], counts: [:], succeeded: 0, tooManyAffected: error.count)
        }
    }

    /// An engine outcome in the model's terms; a batch's failures are keyed by position.
    static func observed(_ outcome: ChangeOutcome, byIndex: Bool) -> DeleteModel.Outcome {
        var failures: [Key: String] = [:]
        for failure in outcome.failures {
            failures[byIndex ? Key([.integer(Int64(failure.index!))]) : failure.key!] = failure.error.code.description
        }
        var counts: [String: [String: Int]] = [:]
        for resource in outcome.counts.resources {
            for (verb, count) in outcome.counts.verbs(of: resource) { counts[resource, default: [:]][verb.rawValue] = count }
        }
        return DeleteModel.Outcome(
            kind: outcome.kind, failures: failures, summary: outcome.changes.map { "\($0.verb.rawValue) \($0.resource) \($0.key)" },
            counts: counts, succeeded: outcome.kind == .none ? 0 : outcome.succeeded)
    }

    /// Every row, those in the trash too; a row the delete under test put in the trash holds
    /// ``DeleteModel/newMark`` (its instant differs from run to run).
    static func dump(_ engine: Engine, _ scenario: Scenario) async throws -> [String: [Key: Row]] {
        var tables: [String: [Key: Row]] = [:]
        for resource in scenario.resources {
            let rows = try await engine.list(ListRequest(resource: resource.name, includesTrashed: true)).map { row in
                var row = row
                if let column = resource.softDelete?.column, !row[column].isNull, row[column] != Scenario.earlierMark {
                    row[column] = DeleteModel.newMark
                }
                return row
            }
            tables[resource.name] = Dictionary(uniqueKeysWithValues: rows.map { ($0.key(in: resource), $0) })
        }
        return tables
    }
}

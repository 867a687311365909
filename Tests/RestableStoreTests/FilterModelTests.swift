import Foundation
import Logging
import RestableCore
import RestableSQLite
import RestableTestSupport
import Testing

/// The engine's reads against ``FilterModel`` on random rows and random requests: every
/// operator, and / or groups nested, nulls, text patterns with the characters each store's
/// syntax would read (`%`, `_`, `*`, `?`, `[`, `\`), orders, offsets and keyset pages. A
/// filtered delete (dry run) must touch exactly the rows the same filter reads.
@Suite struct FilterModelTests {
    static let baseSeed: UInt64 = 0x4649_4C54_4552_5321
    static let cases = Int(ProcessInfo.processInfo.environment["RESTABLE_FILTER_CASES"] ?? "") ?? 600

    static let table = Resource(
        name: "t", key: ["id"],
        columns: [
            Column(name: "id", type: .integer), Column(name: "i", type: .integer), Column(name: "r", type: .real),
            Column(name: "s", type: .text), Column(name: "b", type: .boolean),
        ])

    @Test func engineReadsWhatTheModelReads() async throws {
        try await Self.agree(cases: Self.cases, on: .sqliteMemory)
    }

    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func engineReadsWhatTheModelReadsOnPostgres() async throws {
        try await Self.agree(cases: Self.cases / 3, on: .postgres)
    }

    /// Shrunk cases that once disagreed, kept as plain regressions.
    @Test func patternCharactersOfEitherStoreAreLiteral() async throws {
        let rows: [Row] = [
            Row(["id": .integer(1), "s": .text("a*b")]), Row(["id": .integer(2), "s": .text("a[b")]),
            Row(["id": .integer(3), "s": .text("a%b")]), Row(["id": .integer(4), "s": .text("a\\b")]),
            Row(["id": .integer(5), "s": .text("axb")]), Row(["id": .integer(6), "s": .text("A*B")]),
        ]
        for kind in StoreKind.available where kind != .sqliteFile {
            let (engine, store) = try await Self.open(kind)
            try await Self.load(rows, into: store)
            func ids(_ match: TextMatch, _ text: String, negated: Bool = false) async throws -> [Int64] {
                let filter = FilterInput(column: "s", operation: .matches(match, negated: negated), operands: [text])
                return try await engine.list(ListRequest(resource: "t", filters: [filter])).map(FilterModel.id)
            }
            #expect(try await ids(.contains, "*") == [1, 6], "\(kind)")
            #expect(try await ids(.contains, "[") == [2], "\(kind)")
            #expect(try await ids(.contains, "%") == [3], "\(kind)")
            #expect(try await ids(.contains, "\\") == [4], "\(kind)")
            #expect(try await ids(.pattern, "a_b") == [1, 2, 3, 4, 5], "\(kind)")
            #expect(try await ids(.pattern, "a\\%b") == [3], "\(kind)")
            #expect(try await ids(.pattern, "a\\\\b") == [4], "\(kind)")
            #expect(try await ids(.prefix, "a", negated: true) == [6], "case-sensitive on \(kind)")
            await store.close()
        }
    }

    static func agree(cases: Int, on kind: StoreKind) async throws {
        let (engine, store) = try await open(kind)
        defer { Task { await store.close() } }
        var seeds = Scenario.Random(state: baseSeed)
        for index in 0..<cases {
            let seed = seeds.next()
            let size = 1 + index % 8
            guard let failure = try await disagreement(FilterCase(seed: seed, size: size), engine, store) else { continue }
            var smallest = (size, failure)
            for smaller in (1..<size).reversed() {
                if let found = try await disagreement(FilterCase(seed: seed, size: smaller), engine, store) { smallest = (smaller, found) }
            }
            Issue.record(
                "case \(index) (FilterCase(seed: \(seed), size: \(smallest.0))) disagrees on \(kind): \(smallest.1)\n\(FilterCase(seed: seed, size: smallest.0))")
            return
        }
    }

    static func open(_ kind: StoreKind) async throws -> (Engine, any Store) {
        var logger = Logger(label: "filter-model")
        logger.logLevel = .critical
        let store: any Store = kind == .postgres ? try await ScratchPostgresStore.create(logger: logger) : try SQLiteStore(.memory, logger: logger)
        let schema = Schema(resources: [table], relationships: [])
        _ = try await store.prepare(schema, seed: [])
        return (Engine(schema: schema, store: store, summaryLimit: 100_000, logger: logger), store)
    }

    static func load(_ rows: [Row], into store: any Store) async throws {
        let table = table
        try await store.write { session in
            _ = try await session.delete(table, where: RowPredicate())
            for row in rows { _ = try await session.insert(table, values: row.values) }
        }
    }

    /// What differs between the engine and the model for one case, or nil.
    static func disagreement(_ test: FilterCase, _ engine: Engine, _ store: any Store) async throws -> String? {
        try await load(test.rows, into: store)
        let expected = FilterModel.read(test.rows, test.request)
        let got: [Int64]
        do {
            got = try await engine.list(test.request).map(FilterModel.id)
        } catch {
            return "the engine refused: \(error)"
        }
        if got != expected { return "read \(got), the model \(expected)" }
        var whole = test.request
        (whole.cursor, whole.limit, whole.offset, whole.order) = (nil, nil, nil, [])
        let matching = FilterModel.read(test.rows, whole)
        let count = try await engine.count(test.request)
        if count != matching.count { return "counted \(count), the model \(matching.count)" }
        if test.request.cursor == nil, test.request.offset == nil, let problem = try await pagingDisagreement(test, engine) { return problem }
        guard !test.request.filter.isEmpty else { return nil }
        let outcome = try await engine.deleteMany(
            BulkDeleteRequest(resource: "t", selection: .filter(test.request.filter, .none), options: DeleteOptions(dryRun: true)))
        let deleted = outcome.changes.map { FilterModel.integer($0.key.values[0]) }.sorted()
        if deleted != matching.sorted() { return "a filtered delete took \(deleted), the read found \(matching.sorted())" }
        return nil
    }
}

/// Pages of the read in its order, each after the last row of the one before (keyset paging
/// in any order, nulls and equal values included): together exactly the model's rows, each
/// counted where it stands.
private func pagingDisagreement(_ test: FilterCase, _ engine: Engine) async throws -> String? {
    var paging = test.request
    paging.limit = nil
    let all = FilterModel.read(test.rows, paging)
    let size = max(1, test.request.limit ?? 3)
    var seen: [Int64] = []
    var cursor: ListCursor?
    repeat {
        paging.cursor = cursor
        let page = try await engine.page(paging, size: size, counting: true)
        if page.total != all.count || page.position != seen.count {
            return "the page after \(seen) says it starts at \(page.position ?? -1) of \(page.total ?? -1); the model has \(all.count) rows"
        }
        seen += page.rows.map(FilterModel.id)
        cursor = page.next
        if seen.count > all.count { break }
    } while cursor != nil
    return seen == all ? nil : "pages of \(size) read \(seen), the model \(all)"
}

/// A random table and read, from a seed; size bounds the rows and the filter's depth.
struct FilterCase: CustomStringConvertible {
    var rows: [Row]
    var request: ListRequest

    static let alphabet: [String] = ["a", "b", "A", "%", "_", "*", "?", "[", "]", "\\", "é", "e\u{301}", " "]

    init(seed: UInt64, size: Int) {
        var random = Scenario.Random(state: seed)
        func text(_ random: inout Scenario.Random) -> String {
            (0..<random.int(0...3)).map { _ in random.pick(Self.alphabet) }.joined()
        }
        func value(_ column: String, _ random: inout Scenario.Random) -> Value {
            switch column {
            case "i": .integer(Int64(random.int(-3...3)))
            case "r": .real(random.pick([-1.5, 0, 0.5, 2.25]))
            case "b": .boolean(random.chance(50))
            default: .text(text(&random))
            }
        }
        var rows: [Row] = []
        let ids = random.shuffle(Array(1...40)).prefix(random.int(0...(3 * size + 2)))
        for id in ids {
            var row = Row(["id": .integer(Int64(id))])
            for column in ["i", "r", "s", "b"] where !random.chance(20) { row.values[column] = value(column, &random) }
            rows.append(row)
        }
        self.rows = rows

        func condition(_ random: inout Scenario.Random) -> FilterInput {
            let column = random.pick(["id", "i", "r", "s", "b", "s"])
            func operand(_ random: inout Scenario.Random) -> Value {
                column == "id" ? .integer(Int64(random.int(0...41))) : value(column, &random)
            }
            switch random.int(0...9) {
            case 0...3:
                return FilterInput(
                    column: column, operation: .compare(random.pick(ComparisonOperator.allCases)), values: [.value(operand(&random))])
            case 4:
                return FilterInput(column: column, operation: .oneOf, values: (0..<random.int(0...3)).map { _ in .value(operand(&random)) })
            case 5:
                return FilterInput(column: column, operation: .noneOf, values: (0..<random.int(0...3)).map { _ in .value(operand(&random)) })
            case 6:
                return FilterInput(column: column, operation: .isNull(random.chance(50)), values: [])
            default:
                let match = random.pick([TextMatch.prefix, .suffix, .contains, .pattern])
                return FilterInput(column: "s", operation: .matches(match, negated: random.chance(30)), values: [.value(.text(text(&random)))])
            }
        }
        func expression(_ depth: Int, _ random: inout Scenario.Random) -> FilterExpression {
            guard depth > 0, random.chance(40) else { return .condition(condition(&random)) }
            let parts = (0..<random.int(0...3)).map { _ in expression(depth - 1, &random) }
            return random.chance(50) ? .all(parts) : .any(parts)
        }
        let filter: FilterExpression = random.chance(10) ? .everyRow : expression(min(3, size), &random)
        var request = ListRequest(resource: "t", filter: filter)
        if random.chance(35) {
            request.cursor =
                random.chance(50) ? .after(.values([.integer(Int64(random.int(0...41)))])) : .before(.values([.integer(Int64(random.int(0...41)))]))
            if random.chance(70) { request.limit = random.int(0...6) }
        } else {
            request.order = random.shuffle(["i", "r", "s", "b", "id"]).prefix(random.int(0...3)).map { SortInput($0, descending: random.chance(50)) }
            if random.chance(50) { request.limit = random.int(0...8) }
            if random.chance(40) { request.offset = random.int(0...6) }
        }
        self.request = request
    }

    var description: String {
        "rows: \(rows.map { $0.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") })\nrequest: \(request)"
    }
}

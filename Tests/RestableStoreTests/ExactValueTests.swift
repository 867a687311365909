import Foundation
import Logging
import RestableApp
import RestableCore
import Testing

/// Values come back from the store exactly as they went in: decimals, big integers, timestamps,
/// booleans and any Unicode text.
@Suite struct ExactValueTests {
    static let yaml = """
        database: "sqlite::memory:"
        resources:
          ledger:
            key: id
            columns: { id: integer, amount: decimal, ratio: real, at: timestamp, paid: boolean, note: text }
        """

    static func decimal(_ text: String) -> Value { .decimal(DecimalNumber(text)!) }

    @Test(arguments: StoreKind.available)
    func valuesRoundTripExactly(kind: StoreKind) async throws {
        let (engine, store) = try await kind.open(Self.yaml)
        defer { Task { await store.close() } }
        let rows: [[String: Value]] = [
            ["id": .integer(1), "amount": Self.decimal("0.3"), "ratio": .real(0.1), "at": .text("2026-12-02T23:07:55.123456+01:00"),
             "paid": .boolean(true), "note": .text("héllo 😀 \u{202E}")],
            ["id": .integer(2), "amount": Self.decimal("12.50"), "ratio": .real(1e-300), "at": .text("1970-01-01T00:00:00Z"),
             "paid": .boolean(false), "note": .text("")],
            ["id": .integer(Int64.max), "amount": Self.decimal("123456789012345678901234567890.123456789"),
             "ratio": .real(-2.5), "at": .text("9999-12-31T23:59:59.999999Z"), "paid": .null, "note": .null],
            ["id": .integer(Int64.min + 1), "amount": Self.decimal("0.30000000000000004"), "ratio": .null, "at": .null, "paid": .null,
             "note": .text("語")],
        ]
        for row in rows { _ = try await engine.create(CreateRequest(resource: "ledger", values: row)) }
        let read = try await engine.list(ListRequest(resource: "ledger"))
        #expect(read.map { $0["id"] } == [.integer(Int64.min + 1), .integer(1), .integer(2), .integer(Int64.max)])
        let byID = Dictionary(uniqueKeysWithValues: read.map { ($0["id"], $0) })
        #expect(byID[.integer(1)]?["amount"] == Self.decimal("0.3"))
        #expect(byID[.integer(1)]?["ratio"] == .real(0.1))
        #expect(byID[.integer(1)]?["at"] == .text("2026-12-02T22:07:55.123456Z"))
        #expect(byID[.integer(1)]?["paid"] == .boolean(true))
        #expect(byID[.integer(1)]?["note"] == .text("héllo 😀 \u{202E}"))
        #expect(byID[.integer(2)]?["amount"] == Self.decimal("12.5"))
        #expect(byID[.integer(2)]?["ratio"] == .real(1e-300))
        #expect(byID[.integer(2)]?["paid"] == .boolean(false))
        #expect(byID[.integer(Int64.max)]?["amount"] == Self.decimal("123456789012345678901234567890.123456789"))
        #expect(byID[.integer(Int64.max)]?["at"] == .text("9999-12-31T23:59:59.999999Z"))
        #expect(byID[.integer(Int64.min + 1)]?["amount"] == Self.decimal("0.30000000000000004"))
        #expect(byID[.integer(Int64.min + 1)]?["amount"] != Self.decimal("0.3"))
    }

    /// Filters on decimals and timestamps compare by value, not as text (`9 < 10`).
    @Test(arguments: StoreKind.available)
    func decimalsAndTimestampsFilterByValue(kind: StoreKind) async throws {
        let (engine, store) = try await kind.open(Self.yaml)
        defer { Task { await store.close() } }
        for (id, amount, at) in [(1, "9", "2026-01-01T00:00:00Z"), (2, "10", "2026-01-01T00:00:00.5Z"), (3, "0.3", "2025-12-31T23:00:00-02:00")] {
            _ = try await engine.create(CreateRequest(resource: "ledger", values: ["id": .integer(Int64(id)), "amount": Self.decimal(amount), "at": .text(at)]))
        }
        let large = try await engine.list(ListRequest(resource: "ledger", filters: [FilterInput(column: "amount", operation: .compare(.gt), operands: ["5"])]))
        #expect(large.map { $0["id"] } == [.integer(1), .integer(2)])
        let exact = try await engine.list(ListRequest(resource: "ledger", filters: [.equals("amount", "0.30")]))
        #expect(exact.map { $0["id"] } == [.integer(3)])
        let later = try await engine.list(ListRequest(resource: "ledger", filters: [FilterInput(column: "at", operation: .compare(.gt), operands: ["2026-01-01T00:00:00Z"])]))
        #expect(later.map { $0["id"] } == [.integer(2), .integer(3)])
    }

    /// The checksum depends on the values only, so a row has the same one on every store.
    @Test(arguments: StoreKind.available)
    func checksumsOfTheDemoRowsAreTheSameOnEveryStore(kind: StoreKind) async throws {
        let reference = try await DemoStore.open(.sqliteMemory)
        let other = try await DemoStore.open(kind)
        var compared = 0
        for resource in reference.engine.schema.resources {
            let mine = try await reference.rows(resource.name).map { Checksum.of($0, in: resource) }
            let theirs = try await other.rows(resource.name).map { Checksum.of($0, in: resource) }
            #expect(mine == theirs, "\(resource.name)")
            compared += mine.count
        }
        #expect(compared > 20)
        await reference.close()
        await other.close()
    }
}

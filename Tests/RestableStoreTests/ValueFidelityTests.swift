import Foundation
import Logging
import RestableApp
import RestableCore
@testable import RestableSQLite
import Testing

/// Values come back from SQLite byte for byte and as the storage class they were stored with.
@Suite struct ValueFidelityTests {
    @Test(arguments: StoreKind.available)
    func textWithANulGoesInAndComesBackWhole(kind: StoreKind) async throws {
        let demo = try await DemoStore.open(kind)
        let name = "a\u{0}b"
        if kind == .postgres {
            // PostgreSQL's text cannot hold U+0000: refused with a reason, nothing stored.
            let refused = await #expect(throws: RestableError.self) {
                try await demo.engine.create(CreateRequest(resource: "customer", values: ["name": .text(name), "balance": .real(1)]))
            }
            #expect(refused?.code == .invalidValue)
            #expect(refused?.message.contains("U+0000") == true)
            #expect(try await demo.rows("customer").count == 4)
            await demo.close()
            return
        }
        let created = try await demo.engine.create(CreateRequest(resource: "customer", values: ["name": .text(name), "balance": .real(1)]))
        #expect(created.values["name"] == .text(name))
        let read = try await demo.engine.get(resource: "customer", key: .parts([name]))
        #expect(read.values["name"] == .text(name))
        #expect(read.values["name"] != .text("a"))
        let none = await #expect(throws: RestableError.self) {
            try await demo.engine.get(resource: "customer", key: .parts(["a"]))
        }
        #expect(none?.code == .notFound, "the text is not cut at the NUL: 'a' is another key")
        // Empty text is text, not NULL.
        let empty = try await demo.engine.create(CreateRequest(resource: "customer", values: ["name": .text("")]))
        #expect(empty.values["name"] == .text(""))
        await demo.close()
    }

    @Test(arguments: StoreKind.available)
    func aFilterWithANulDoesNotMatchThePrefix(kind: StoreKind) async throws {
        let demo = try await DemoStore.open(kind)
        let suffixed = "Bravo Hardware\u{0}-not-this-one"
        let filtered = try await demo.engine.list(ListRequest(resource: "customer", filters: [.equals("name", suffixed)]))
        #expect(filtered.isEmpty)
        let plain = try await demo.engine.list(ListRequest(resource: "customer", filters: [.equals("name", "Bravo Hardware")]))
        #expect(plain.map { $0.values["name"] } == [.text("Bravo Hardware")])
        let missing = await #expect(throws: RestableError.self) {
            try await demo.engine.delete(DeleteRequest(resource: "customer", key: .parts([suffixed])))
        }
        #expect(missing?.code == .notFound)
        #expect(try await demo.row("customer", "Bravo Hardware").values["name"] == .text("Bravo Hardware"), "the delete left the other row alone")
        await demo.close()
    }

    /// A table made outside Restable, without declared types (so SQLite converts nothing), holding
    /// values whose storage class differs from the type the configuration gives the column.
    @Test func storedValuesComeBackAsStoredAndConvertOnlyWhenExact() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-fidelity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("fidelity.sqlite").path
        let raw = try SQLiteConnection(path: path)
        try raw.executeNow(
            """
            CREATE TABLE thing (id INTEGER PRIMARY KEY, label, flag, amount, count);
            INSERT INTO thing VALUES (1, 42, 1, 3, '12');
            INSERT INTO thing VALUES (2, X'6869', 0, 9007199254740993, 2.5);
            INSERT INTO thing VALUES (3, X'00FF10', 2, 2.25, 'twelve');
            INSERT INTO thing VALUES (4, CAST(X'610062' AS TEXT), 1.0, 'a lot', 7);
            """)
        raw.closeNow()
        let yaml = """
            database: sqlite:\(path)
            resources:
              thing: { key: id, columns: { id: integer, label: text, flag: boolean, amount: decimal, count: integer } }
            """
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (engine, store) = try await buildEngine(try ConfigurationLoader.parse(yaml, file: "fidelity.yaml"), logger: logger)
        let rows = try await engine.list(ListRequest(resource: "thing"))
        try #require(rows.count == 4)
        // An INTEGER in a text column stays an integer; 0/1 in a boolean column are booleans;
        // an INTEGER in a decimal column is that decimal; TEXT in an integer column stays text.
        #expect(rows[0].values["label"] == .integer(42))
        #expect(rows[0].values["flag"] == .boolean(true))
        #expect(rows[0].values["amount"] == .decimal(3))
        #expect(rows[0].values["count"] == .text("12"))
        // A BLOB that is UTF-8 is text; an integer a double cannot hold is an exact decimal; a
        // REAL in an integer column stays a real.
        #expect(rows[1].values["label"] == .text("hi"))
        #expect(rows[1].values["flag"] == .boolean(false))
        #expect(rows[1].values["amount"] == .decimal(9_007_199_254_740_993))
        #expect(rows[1].values["count"] == .real(2.5))
        // A BLOB that is not UTF-8 is marked, never decoded into some other text; 2 in a boolean
        // column is the integer it is.
        #expect(rows[2].values["label"] == .text("\u{FFFF}blob:00ff10"))
        #expect(rows[2].values["flag"] == .integer(2))
        #expect(rows[2].values["amount"] == .decimal(2.25))
        #expect(rows[2].values["count"] == .text("twelve"))
        // TEXT with a NUL inside is read with its length; a REAL in a boolean column stays a real.
        #expect(rows[3].values["label"] == .text("a\u{0}b"))
        #expect(rows[3].values["flag"] == .real(1))
        #expect(rows[3].values["amount"] == .text("a lot"))
        // The marked value does not match the text it spells.
        let marked = try await engine.list(ListRequest(resource: "thing", filters: [.equals("label", "\u{FFFF}blob:00ff10")]))
        #expect(marked.isEmpty)
        await store.close()
    }

    @Test func theMarkerSpellsEveryByte() {
        #expect(SQLiteConnection.undecodable([0x00, 0x0f, 0xff, 0x10]) == "\u{FFFF}blob:000fff10")
        #expect(SQLiteConnection.undecodable([]) == "\u{FFFF}blob:")
    }

    @Test func aDatabaseThatCannotBeOpenedIsAStartUpErrorNotBusy() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-dir-\(UUID().uuidString)/x.sqlite").path
        let error = #expect(throws: SQLiteOpenError.self) { try SQLiteStore(.file(missing)) }
        #expect(error?.path == missing)
        #expect(error?.description == "cannot open the SQLite database '\(missing)': unable to open database file")
    }
}

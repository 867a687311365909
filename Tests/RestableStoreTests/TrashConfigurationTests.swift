import Foundation
import Logging
import RestableApp
import RestableCore
import RestableSQLite
import RestableTestSupport
import Testing

/// `softDelete` in a configuration: read strictly, a cascade from a resource with a trash only
/// into resources with one, the column added to tables Restable creates and required of tables
/// that exist; on an introspected database, an override names a nullable timestamp column.
@Suite struct TrashConfigurationTests {
    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func parse(_ resources: String, relationships: String = "", top: String = "") throws -> Configuration {
        try ConfigurationLoader.parse("database: \"sqlite::memory:\"\n" + top + "resources:\n" + resources + relationships, file: "test.yaml")
    }

    @Test func aResourceSaysWhichColumnMarksItsTrashAndHowLongRowsStay() throws {
        let configuration = try Self.parse(
            """
              a: { key: id, columns: { id: integer }, softDelete: { column: deleted_at } }
              b: { key: id, columns: { id: integer, a_id: integer }, softDelete: { column: gone, retention: 7d } }
            relationships:
              - { parent: a, child: b, columns: [a_id], onDelete: cascade }

            """, top: "journal: false\nserver: { purgeInterval: 10m }\n")
        #expect(configuration.schema.resource(named: "a")?.softDelete == SoftDelete(column: "deleted_at"))
        #expect(configuration.schema.resource(named: "b")?.softDelete == SoftDelete(column: "gone", retention: RetentionPeriod(parsing: "7d")))
        #expect(configuration.schema.resource(named: "a")?.columnNames == ["id"])
        // The trash is purged on schedule even without a journal.
        #expect(configuration.purgeInterval == .seconds(600))
    }

    @Test(arguments: [
        ("{ key: id, columns: { id: integer }, softDelete: deleted_at }", "must be a mapping such as { column: deleted_at }"),
        ("{ key: id, columns: { id: integer }, softDelete: {} }", "needs 'column'"),
        ("{ key: id, columns: { id: integer }, softDelete: { colum: x } }", "unknown key 'colum'"),
        ("{ key: id, columns: { id: integer, deleted_at: timestamp }, softDelete: { column: deleted_at } }", "do not declare it among its columns"),
        ("{ key: id, columns: { id: integer }, softDelete: { column: x, retention: forever } }", "retention must be"),
        ("{ key: id, columns: { id: integer }, readOnly: true, softDelete: { column: x } }", "softDelete means nothing"),
    ])
    func softDeleteIsReadStrictly(resource: String, message: String) {
        let error = #expect(throws: ConfigurationError.self) { try Self.parse("  t: " + resource + "\n") }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func aCascadeFromATrashGoesOnlyIntoATrash() {
        let error = #expect(throws: ConfigurationError.self) {
            try Self.parse(
                """
                  a: { key: id, columns: { id: integer }, softDelete: { column: deleted_at } }
                  b: { key: id, columns: { id: integer, a_id: integer } }
                relationships:
                  - { parent: a, child: b, columns: [a_id], onDelete: cascade }

                """)
        }
        #expect(error?.message.contains("'a' has softDelete, so its cascade to 'b' (a_id) must put rows in the trash too") == true, "\(error?.message ?? "")")
        // Restrict and set-null children, and a cascade from a resource without a trash, are fine.
        #expect(throws: Never.self) {
            try Self.parse(
                """
                  a: { key: id, columns: { id: integer }, softDelete: { column: deleted_at } }
                  b: { key: id, columns: { id: integer, a_id: integer, c_id: integer } }
                  c: { key: id, columns: { id: integer } }
                  d: { key: id, columns: { id: integer, c_id: integer }, softDelete: { column: deleted_at } }
                relationships:
                  - { parent: a, child: b, columns: [a_id], onDelete: setNull }
                  - { parent: c, child: d, columns: [c_id], onDelete: cascade }

                """)
        }
    }

    @Test func aTableRestableCreatesGetsTheColumnAndOneThatExistsMustHaveIt() async throws {
        let folder = try HandMadeSQLite.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("trash.sqlite").path
        try HandMadeSQLite.create(at: path, "CREATE TABLE kept (id INTEGER PRIMARY KEY, name TEXT);")
        let store = try SQLiteStore(.file(path), logger: Self.logger)
        let made = Resource(name: "made", key: ["id"], columns: [Column(name: "id", type: .integer)], softDelete: SoftDelete(column: "deleted_at"))
        #expect(try await store.prepare(Schema(resources: [made]), seed: []) == ["made"])
        let description = try await store.describe()
        #expect(description.table(named: "made")?.column(named: "deleted_at")?.nullable == true)
        let kept = Resource(
            name: "kept", key: ["id"], columns: [Column(name: "id", type: .integer), Column(name: "name", type: .text)],
            softDelete: SoftDelete(column: "deleted_at"))
        // `restable check` says so before a server would stop on it.
        let findings = ConfigurationCheck.findings(Schema(resources: [kept]), against: description).map(\.description)
        #expect(findings.contains { $0.contains("has no column 'deleted_at'") }, "\(findings)")
        let error = await #expect(throws: RestableError.self) { try await store.prepare(Schema(resources: [kept]), seed: []) }
        #expect(error?.code == .schemaMismatch && error?.message.contains("has no column 'deleted_at'") == true, "\(error?.message ?? "")")
        await store.close()
    }

    /// A hand-made database whose `doc` table has a nullable timestamp to mark its trash.
    static func introspected(_ overrides: String) async throws -> (Engine, any Store, URL) {
        let folder = try HandMadeSQLite.temporaryFolder()
        let path = folder.appendingPathComponent("docs.sqlite").path
        try HandMadeSQLite.create(
            at: path,
            """
            CREATE TABLE doc (id INTEGER PRIMARY KEY, title TEXT NOT NULL, removed_at TIMESTAMP, created TIMESTAMP NOT NULL);
            CREATE TABLE page (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES doc (id) ON DELETE CASCADE, body TEXT, removed_at TIMESTAMP);
            INSERT INTO doc VALUES (1, 'Plan', NULL, '2026-01-01T00:00:00.000000Z'), (2, 'Memo', NULL, '2026-01-01T00:00:00.000000Z');
            INSERT INTO page VALUES (10, 1, 'one', NULL), (11, 1, 'two', NULL), (20, 2, 'memo', NULL);
            """)
        var configuration = try ConfigurationLoader.parse("database: \"sqlite::memory:\"\nintrospect: true\n" + overrides, file: "test.yaml")
        configuration.database = .sqliteFile(path)
        let store = try SQLiteStore(.file(path), logger: logger)
        do {
            let engine = try await buildEngine(configuration, store: store, logger: logger).0
            return (engine, store, folder)
        } catch {
            await store.close()
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    @Test func anIntrospectedTableKeepsATrashInAColumnItHas() async throws {
        let (engine, store, folder) = try await Self.introspected(
            """
            overrides:
              resources:
                doc: { softDelete: { column: removed_at } }
                page: { softDelete: { column: removed_at } }
            """)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(engine.schema.resource(named: "doc")?.columnNames == ["id", "title", "created"])
        #expect(engine.schema.resource(named: "doc")?.softDelete?.column == "removed_at")
        let outcome = try await engine.delete(DeleteRequest(resource: "doc", key: .parts(["1"])))
        #expect(outcome.counts.total == 3)
        #expect(try await engine.list(ListRequest(resource: "page")).count == 1)
        let trashed = try await engine.list(ListRequest(resource: "page", includesTrashed: true))
        #expect(trashed.filter { !$0["removed_at"].isNull }.count == 2)
        _ = try await engine.undelete(UndeleteRequest(resource: "doc", key: .parts(["1"])))
        #expect(try await engine.list(ListRequest(resource: "page")).count == 3)
        await store.close()
    }

    @Test(arguments: [
        ("doc: { softDelete: { column: nothing } }", "'doc' has no column 'nothing' for softDelete"),
        ("doc: { softDelete: { column: title } }", "must be a timestamp column"),
        ("doc: { softDelete: { column: created } }", "must be nullable and outside the key"),
        ("doc: { softDelete: { column: removed_at } }", "'doc' has softDelete, so its cascade to 'page' (doc_id) must put rows in the trash too"),
        ("doc: { hide: [removed_at], softDelete: { column: removed_at } }", "'doc' has no column 'removed_at' for softDelete"),
    ])
    func anOverrideNamesAColumnTheTableHas(override: String, message: String) async throws {
        let error = await #expect(throws: ConfigurationError.self) {
            _ = try await Self.introspected("overrides:\n  resources:\n    " + override + "\n")
        }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }
}

import Foundation
import Logging
import RestableApp
import RestableCore
import RestableTestSupport
import Testing

/// Rules that the demo's shape does not exercise, on schemas written for the test.
@Suite struct CustomSchemaTests {
    static let teams = """
        database: "sqlite::memory:"
        resources:
          team: { key: id, columns: { id: integer, name: text } }
          member: { key: id, columns: { id: integer, team_id: integer required } }
          badge: { key: id, columns: { id: integer, member_id: integer required } }
        relationships:
          - { parent: team, child: member, columns: [team_id], onDelete: cascade }
          - { parent: member, child: badge, columns: [member_id], onDelete: restrict }
        seed:
          team: [{ id: 1, name: Red }, { id: 2, name: Blue }]
          member: [{ id: 10, team_id: 1 }, { id: 11, team_id: 1 }, { id: 20, team_id: 2 }]
          badge: [{ id: 100, member_id: 11 }]
        """

    /// A new empty folder under the temporary directory; the caller removes it.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func engine(_ yaml: String) async throws -> (Engine, any Store) {
        let configuration = try ConfigurationLoader.parse(yaml, file: "test.yaml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try await buildEngine(configuration, logger: logger)
    }

    @Test func restrictBelowACascadeNamesTheTargetAndTheBlockedDescendant() async throws {
        let (engine, store) = try await Self.engine(Self.teams)
        let error = await #expect(throws: RestableError.self) {
            try await engine.delete(DeleteRequest(resource: "team", key: .parts(["1"])))
        }
        #expect(error?.code == .restricted)
        #expect(error?.resource == "team")
        #expect(error?.key == Key([.integer(1)]))
        #expect(error?.message == "team 1 cannot be deleted: it cascades to member 11, which still has dependents whose relationship is restrict: 1 badge row (100)")
        #expect(try await engine.list(ListRequest(resource: "member")).count == 3)
        let outcome = try await engine.delete(DeleteRequest(resource: "team", key: .parts(["2"])))
        #expect(outcome.changes.map(\.resource) == ["team", "member"])
        await store.close()
    }

    @Test func aSeedThatTheDatabaseRefusesLeavesNoTableBehind() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("seed.sqlite").path
        let yaml = """
            database: sqlite:\(path)
            resources:
              tag: { key: id, columns: { id: integer, label: text unique } }
            seed:
              tag: [{ id: 1, label: a }, { id: 2, label: a }]
            """
        await #expect(throws: RestableError.self) { _ = try await Self.engine(yaml) }
        let fixed = yaml.replacingOccurrences(of: "{ id: 2, label: a }", with: "{ id: 2, label: b }")
        let (engine, store) = try await Self.engine(fixed)
        #expect(try await engine.list(ListRequest(resource: "tag")).count == 2, "the seed loads on the next start")
        await store.close()
    }

    @Test func longKeyListsReadAsOneStatementWould() async throws {
        let (engine, store) = try await Self.engine(Self.teams)
        let operands = ["20"] + Array(repeating: "1", count: 40_000) + ["10", "20"]
        let filter = FilterInput(column: "id", operation: .oneOf, operands: operands)
        let all = try await engine.list(ListRequest(resource: "member", filters: [filter]))
        #expect(all.map { $0["id"] } == [.integer(10), .integer(20)])
        let page = try await engine.list(ListRequest(resource: "member", filters: [filter], limit: 1, offset: 1))
        #expect(page.map { $0["id"] } == [.integer(20)])
        #expect(try await engine.list(ListRequest(resource: "member", filters: [filter], limit: 1)).map { $0["id"] } == [.integer(10)])
        await store.close()
    }

    @Test func anExistingTableIsNeverAlteredAndAMissingColumnStopsStartUp() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("data.sqlite").path
        let first = """
            database: sqlite:\(path)
            resources:
              note: { key: id, columns: { id: integer, body: text } }
            seed:
              note: [{ id: 1, body: kept }]
            """
        let (_, store) = try await Self.engine(first)
        await store.close()
        let widened = first.replacingOccurrences(of: "body: text }", with: "body: text, author: text }")
        let error = await #expect(throws: RestableError.self) { _ = try await Self.engine(widened) }
        #expect(error?.code == .schemaMismatch)
        #expect(error?.message.contains("'author'") == true)
        let (engine, reopened) = try await Self.engine(first)
        #expect(try await engine.list(ListRequest(resource: "note")).map { $0["body"] } == [.text("kept")])
        await reopened.close()
    }

    /// Two existing tables that point at each other through foreign keys that the database checks
    /// at once unless told otherwise (`DEFERRABLE INITIALLY IMMEDIATE`): a cascade that takes
    /// both rows passes through a moment where one points at a row that is gone, so the write
    /// defers the checks to its commit. The keys Restable creates are deferred already, and
    /// their writes skip that statement.
    @Test(.enabled(if: PostgresScratch.isAvailable))
    func aCycleOfImmediateForeignKeysInAnExistingDatabaseIsDeferredToTheCommit() async throws {
        let scratch = try await PostgresScratch.create()
        try await scratch.execute(
            """
            CREATE TABLE husband (id BIGINT PRIMARY KEY, wife_id BIGINT);
            CREATE TABLE wife (id BIGINT PRIMARY KEY, husband_id BIGINT REFERENCES husband (id) DEFERRABLE INITIALLY IMMEDIATE);
            ALTER TABLE husband ADD FOREIGN KEY (wife_id) REFERENCES wife (id) DEFERRABLE INITIALLY IMMEDIATE;
            INSERT INTO husband VALUES (1, NULL), (2, NULL);
            INSERT INTO wife VALUES (1, 1), (2, 2);
            UPDATE husband SET wife_id = id;
            """)
        var configuration = try ConfigurationLoader.parse(
            """
            database: "sqlite::memory:"
            resources:
              husband: { key: id, columns: { id: integer, wife_id: integer } }
              wife: { key: id, columns: { id: integer, husband_id: integer } }
            relationships:
              - { parent: husband, child: wife, columns: [husband_id], onDelete: cascade }
              - { parent: wife, child: husband, columns: [wife_id], onDelete: cascade }
            """, file: "test.yaml")
        configuration.database = .postgres(scratch.location)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (engine, store) = try await buildEngine(configuration, logger: logger)
        let outcome = try await engine.delete(DeleteRequest(resource: "husband", key: .parts(["1"])))
        #expect(outcome.changes.map { "\($0.verb.rawValue) \($0.resource) \($0.key)" }.sorted() == ["DELETE husband 1", "DELETE wife 1"])
        #expect(try await engine.list(ListRequest(resource: "husband")).map { $0["id"] } == [.integer(2)])
        #expect(try await engine.list(ListRequest(resource: "wife")).map { $0["id"] } == [.integer(2)])
        await store.close()
        await scratch.drop()
    }
}

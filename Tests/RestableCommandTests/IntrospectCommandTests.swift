import Foundation
import RestableTestSupport
import Testing

/// `restable introspect`, `restable check` and `restable serve --introspect` through the built
/// binary, on a SQLite database written by hand.
@Suite(.serialized) struct IntrospectCommandTests {
    static let script = """
        CREATE TABLE "CustomerOrders" ("Id" INTEGER PRIMARY KEY, "Customer Name" TEXT NOT NULL, payload BLOB);
        CREATE TABLE "order" ("select" INTEGER NOT NULL REFERENCES "CustomerOrders" ("Id") ON DELETE CASCADE, line INTEGER NOT NULL,
          PRIMARY KEY ("select", line));
        CREATE TABLE log (at TEXT, what TEXT);
        INSERT INTO "CustomerOrders" VALUES (1, 'Alpha', NULL), (2, 'Bravo', NULL);
        INSERT INTO "order" VALUES (1, 1), (1, 2);
        INSERT INTO log VALUES ('2026-01-01', 'made');
        """

    /// Runs the binary to completion: exit status, standard output, standard error.
    static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = LiveServer.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var variables = ProcessInfo.processInfo.environment
        variables["RESTABLE_DATABASE_URL"] = nil
        variables["RESTABLE_CONFIG"] = nil
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    @Test func introspectPrintsYAMLThatServeServes() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("hand.sqlite").path
            try HandMadeSQLite.create(at: path, Self.script)
            let introspected = try Self.run(["introspect", "--database", "sqlite:hand.sqlite"], in: folder)
            #expect(introspected.status == 0, "\(introspected.err)")
            #expect(introspected.out.contains("database: sqlite:hand.sqlite\n"))
            #expect(introspected.out.contains("      payload: text asText   # BLOB; a type Restable does not know: served as text, read-only"))
            #expect(introspected.out.contains("  - { parent: CustomerOrders, child: order, columns: [select], onDelete: cascade }   # ON DELETE CASCADE"))
            #expect(introspected.err.contains("restable: warning: log has no primary key: served read-only"))
            #expect(introspected.err.contains("restable: warning: CustomerOrders.payload has type BLOB, which Restable does not know"))
            let file = folder.appendingPathComponent("hand.yaml")
            try introspected.out.write(to: file, atomically: true, encoding: .utf8)

            let check = try Self.run(["check", "--config", "hand.yaml"], in: folder)
            #expect(check.status == 0, "\(check.out)\(check.err)")
            #expect(check.out.hasPrefix("hand.yaml against sqlite:hand.sqlite: 0 errors, 0 warnings, 0 notes\n"))

            let server = try LiveServer(["serve", "--config", "hand.yaml", "--port", "0"], in: folder)
            #expect(try await server.waitUntilListening(), "\(server.log)")
            let deleted = try server.curl("DELETE", "/api/CustomerOrders/1")
            #expect(deleted.status == 200)
            #expect(deleted.body.contains("\"href\":\"/api/order/1,2\""))
            #expect(try server.curl("POST", "/api/log", headers: ["Content-Type: application/json"], body: "{\"what\":\"x\"}").status == 405)
            #expect(server.stop() == 0)
            #expect(try HandMadeSQLite.strings(path, "SELECT count(*) FROM \"order\"") == ["0"])
        }
    }

    /// The journal's tables are Restable's own: an introspected server never serves them, and
    /// `restable purge` empties them by retention or by `--older-than`.
    @Test func purgeEmptiesTheJournalWhichIntrospectionNeverServes() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("hand.sqlite").path
            try HandMadeSQLite.create(at: path, Self.script)
            let server = try LiveServer(["serve", "--introspect", "--database", "sqlite:hand.sqlite", "--port", "0"], in: folder)
            #expect(try await server.waitUntilListening(), "\(server.log)")
            #expect(try server.curl("DELETE", "/api/CustomerOrders/1").status == 200)
            #expect(try server.curl("GET", "/api/_transactions").body.contains("\"resource\":\"CustomerOrders\""))
            #expect(!(try server.curl("GET", "/api").body.contains("restable_")))
            #expect(server.stop() == 0)
            // CustomerOrders has a BLOB served as text, which the journal cannot write back: only
            // the order rows are kept, and the transaction cannot be undone.
            #expect(server.log.contains("CustomerOrders: its deletes are not journaled and cannot be undone"))
            #expect(try HandMadeSQLite.strings(path, "SELECT count(*) FROM restable_journal") == ["1"])
            let introspected = try Self.run(["introspect", "--database", "sqlite:hand.sqlite"], in: folder)
            #expect(introspected.status == 0 && !introspected.out.contains("restable_"), "\(introspected.out)")

            try await Task.sleep(for: .milliseconds(1_100))
            let dry = try Self.run(["purge", "--database", "sqlite:hand.sqlite", "--older-than", "1s", "--dry-run"], in: folder)
            #expect(dry.status == 0 && dry.out == "would purge 1 transaction older than 1s (1 journal entry, 3 rows they had touched) from sqlite:hand.sqlite\n", "\(dry)")
            let kept = try Self.run(["purge", "--database", "sqlite:hand.sqlite"], in: folder)
            #expect(kept.out == "purged 0 transactions past their retention (0 journal entries, 0 rows they had touched) from sqlite:hand.sqlite\n", "\(kept)")
            let purged = try Self.run(["purge", "--database", "sqlite:hand.sqlite", "--older-than", "1s"], in: folder)
            #expect(purged.status == 0 && purged.out.hasPrefix("purged 1 transaction older than 1s"), "\(purged)")
            #expect(try HandMadeSQLite.strings(path, "SELECT count(*) FROM restable_journal") == ["0"])
            #expect(try HandMadeSQLite.strings(path, "SELECT count(*) FROM restable_transaction") == ["0"])

            let typo = try Self.run(["purge", "--database", "sqlite:hand.sqlite", "--older-than", "1y"], in: folder)
            #expect(typo.status == 64 && typo.err.contains("--older-than must be a whole number and a unit"))
            let missing = try Self.run(["purge", "--database", "sqlite:nothing.sqlite"], in: folder)
            #expect(missing.status == 1 && missing.err.contains("there is no such file"), "\(missing)")
            try "database: sqlite:hand.sqlite\njournal: false\nintrospect: true\n".write(to: folder.appendingPathComponent("off.yaml"), atomically: true, encoding: .utf8)
            let off = try Self.run(["purge", "--config", "off.yaml"], in: folder)
            #expect(off.status == 0 && off.out.hasPrefix("purged 0 transactions past their retention"), "\(off)")
            try HandMadeSQLite.create(at: folder.appendingPathComponent("fresh.sqlite").path, "CREATE TABLE t (id INTEGER PRIMARY KEY);")
            let fresh = try Self.run(["purge", "--database", "sqlite:fresh.sqlite", "--dry-run"], in: folder)
            #expect(fresh.status == 0 && fresh.out == "there is no journal in sqlite:fresh.sqlite: nothing to purge\n", "\(fresh)")
            #expect(try HandMadeSQLite.strings(folder.appendingPathComponent("fresh.sqlite").path, "SELECT count(*) FROM sqlite_master") == ["1"])
        }
    }

    @Test func serveIntrospectServesTheDatabaseAsFound() async throws {
        try await withTemporaryDirectory { folder in
            try HandMadeSQLite.create(at: folder.appendingPathComponent("hand.sqlite").path, Self.script)
            let server = try LiveServer(["serve", "--introspect", "--database", "sqlite:hand.sqlite", "--port", "0"], in: folder)
            #expect(try await server.waitUntilListening(), "\(server.log)")
            #expect(server.log.contains("log has no primary key: served read-only"))
            let log = try server.curl("GET", "/api/log")
            #expect(log.status == 200)
            // A row without a key has no href.
            #expect(log.body.hasPrefix(#"[{"@metadata":{"checksum":"A:"#))
            #expect(log.body.hasSuffix(#""},"at":"2026-01-01","what":"made"}]"#))
            let update = try server.curl(
                "PATCH", "/api/CustomerOrders/2", headers: ["Content-Type: application/json"], body: #"{"payload":"x"}"#)
            #expect(update.status == 400)
            #expect(update.body.contains(#""code":"readOnlyColumn""#))
            let remove = try server.curl("DELETE", "/api/log")
            #expect(remove.status == 405)
            #expect(remove.body.contains(#""code":"readOnly""#))
            #expect(server.stop() == 0)
        }
    }

    @Test func problemsAreNamedWithTheirStatus() async throws {
        try await withTemporaryDirectory { folder in
            let missing = try Self.run(["introspect", "--database", "sqlite:nothing.sqlite"], in: folder)
            #expect(missing.status == 1)
            #expect(
                missing.err
                    == "restable: cannot open sqlite:nothing.sqlite: cannot open the SQLite database 'nothing.sqlite': there is no such file (introspection reads an existing database)\n")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("nothing.sqlite").path))
            let noDatabase = try Self.run(["introspect"], in: folder)
            #expect(noDatabase.status == 2)
            let secret = try Self.run(["introspect", "--database", "postgres://me:s3cret@127.0.0.1:1/db?connect_timeout=1"], in: folder)
            #expect(secret.status == 1)
            #expect(secret.err.contains("postgres://me:***@127.0.0.1:1/db"))
            #expect(!secret.err.contains("s3cret"))
            let schemaOnSQLite = try Self.run(["introspect", "--database", "sqlite:x.sqlite", "--schema", "s"], in: folder)
            #expect(schemaOnSQLite.status == 2)
            #expect(schemaOnSQLite.err == "restable: --schema: a schema is for a PostgreSQL database; sqlite:x.sqlite is not one\n")

            try HandMadeSQLite.create(at: folder.appendingPathComponent("hand.sqlite").path, Self.script)
            let config = folder.appendingPathComponent("c.yaml")
            try "database: sqlite:hand.sqlite\nresources:\n  log: { key: [], columns: { at: text, what: text, who: text } }\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let check = try Self.run(["check", "--config", "c.yaml"], in: folder)
            #expect(check.status == 1)
            #expect(check.out.contains("  error: log: the table 'log' has no column 'who'; serve stops (Restable never alters a table)\n"))
            let notIntrospected = try Self.run(["serve", "--introspect", "--config", "c.yaml", "--port", "0"], in: folder)
            #expect(notIntrospected.status == 2)
            #expect(notIntrospected.err.contains("--introspect serves the database as found, but this file declares its resources"))
            try "database: sqlite:hand.sqlite\nintrospect: true\noverrides:\n  hide: [nosuch]\n".write(to: config, atomically: true, encoding: .utf8)
            let badOverride = try Self.run(["serve", "--config", "c.yaml", "--port", "0"], in: folder)
            #expect(badOverride.status == 2)
            #expect(badOverride.err.hasPrefix("restable: c.yaml:4:10: hide names 'nosuch', which is not a table or view of the database"))
        }
    }
}

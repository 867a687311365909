import Foundation
import RestablePostgres
import RestableTestSupport
import Testing

/// PostgreSQL stops in the middle of a large delete: nothing half-done is visible afterwards, the
/// client gets an error (never a 200), and the same server answers again once the database is
/// back, without a restart.
///
/// It stops the whole cluster, so it runs only in a cluster of its own: `.ci/run` runs it as
/// `RESTABLE_OUTAGE_TEST=1 scripts/with-postgres swift test --filter DatabaseOutageTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["RESTABLE_OUTAGE_TEST"] == "1" && PostgresScratch.isAvailable
    && ProcessInfo.processInfo.environment["RESTABLE_POSTGRES_CTL"] != nil, "needs a cluster of its own"))
struct DatabaseOutageTests {
    static let children = 300_000

    /// Runs the cluster's `pg_ctl` with `arguments` and waits for it, with no inherited
    /// descriptor (see ``closingInheritedDescriptors``): the server `pg_ctl start` leaves running
    /// must not keep the test waiting.
    static func pgctl(_ arguments: [String]) throws {
        let command = ProcessInfo.processInfo.environment["RESTABLE_POSTGRES_CTL"]!.split(separator: " ").map(String.init)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", closingInheritedDescriptors, "pgctl"] + command + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }

    /// Waits until the database accepts connections again (at most 60 s).
    static func waitForDatabase(_ scratch: PostgresScratch) async throws {
        for _ in 0..<300 {
            if (try? await scratch.execute("SELECT 1")) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the database did not come back within 60 s")
    }

    @Test func aDatabaseThatStopsMidDeleteLeavesNothingHalfDoneAndTheServerRecovers() async throws {
        let scratch = try await PostgresScratch.create()
        try await withTemporaryDirectory { directory in
            let yaml = """
                database: \(scratch.location.description)
                postgres: { schema: \(scratch.schema), connectTimeout: 2 }
                resources:
                  parent:
                    key: id
                    columns: { id: integer }
                    optimisticLocking: off
                  child:
                    key: id
                    columns: { id: integer, parent_id: integer required }
                    optimisticLocking: off
                relationships:
                  - { parent: parent, child: child, columns: [parent_id], onDelete: cascade }
                mounts:
                  - { path: /api, dialect: native }
                """
            let config = directory.appendingPathComponent("outage.yaml")
            try yaml.write(to: config, atomically: true, encoding: .utf8)
            let server = try LiveServer(["serve", "--config", config.path, "--port", "0", "--log-level", "warning"], in: directory)
            defer { _ = server.stop() }
            #expect(try await server.waitUntilListening(), "\(server.log)")
            try await scratch.execute("""
                INSERT INTO parent SELECT g FROM generate_series(1, 1000) g;
                INSERT INTO child SELECT g, 1 + g % 1000 FROM generate_series(1, \(Self.children)) g;
                """)

            let pipe = Pipe()
            let delete = try server.startCurl("DELETE", "/api/parent?all=true&txsummary=false", maxTime: 120, output: pipe)
            try await Task.sleep(for: .milliseconds(400))
            #expect(delete.isRunning, "the delete finished before the database stopped; make it larger")
            try Self.pgctl(["-m", "immediate", "stop"])
            let answer = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            delete.waitUntilExit()
            let status = Int(answer.split(separator: "\n").last ?? "") ?? 0
            #expect(!(200..<300).contains(status), "the client was told it succeeded: \(answer)")
            #expect(!answer.contains("SELECT") && !answer.contains("DELETE FROM"), "SQL leaked: \(answer)")

            // While the database is down: 503 with Retry-After, quickly.
            let down = try server.curl("GET", "/api/parent?limit=1")
            #expect(down.status == 503, "\(down)")

            try Self.pgctl(["-w", "start"])
            try await Self.waitForDatabase(scratch)
            let counts = try await scratch.execute("SELECT (SELECT count(*) FROM parent)::text, (SELECT count(*) FROM child)::text")
            #expect(counts.first == ["1000", String(Self.children)], "a half-done delete is visible")
            var recovered = 0
            for _ in 0..<50 where recovered == 0 {
                if try server.curl("GET", "/api/parent?limit=1").status == 200 { recovered = 1 } else { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(recovered == 1, "the server did not answer again after the database came back")
            let again = try server.curl("DELETE", "/api/parent?all=true&txsummary=false")
            #expect(again.status == 200, "\(again)")
            #expect(try await scratch.execute("SELECT count(*)::text FROM child").first == ["0"])
        }
        await scratch.drop()
    }
}

import Foundation
import Testing

/// The real binary on 127.0.0.1, driven with real HTTP (curl), as a user would.
@Suite(.serialized) struct LiveServerTests {
    @Test func demoServesDeletesSafelyAndKeepsDataAcrossARestart() async throws {
        try await withTemporaryDirectory { folder in
            let server = try LiveServer(["serve", "--port", "0"], in: folder)
            let listening = try await server.waitUntilListening()
            #expect(listening, "server did not start: \(server.log)")
            guard listening else {
                _ = server.stop()
                return
            }
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("restable-demo.sqlite").path))
            #expect(try server.curl("GET", "/health").status == 200)

            let cascade = try server.curl("DELETE", "/api/customer/Golf%20Industries")
            #expect(cascade.status == 200)
            #expect(cascade.body.contains(#""verb":"DELETE""#))
            #expect(cascade.body.contains("/api/line_item/2,1"))

            let restricted = try server.curl("DELETE", "/api/advertiser/3")
            #expect(restricted.status == 409)
            #expect(restricted.body.contains(#""code":"restricted""#))

            let stale = try server.curl("DELETE", "/api/customer/Bravo%20Hardware", headers: [#"If-Match: "A:0000000000000000""#])
            #expect(stale.status == 412)
            #expect(try server.curl("DELETE", "/api/product/105").status == 428)
            #expect(try server.curl("DELETE", "/api/customer/Nobody").status == 404)
            #expect(try server.curl("DELETE", "/api/customer/Nobody?ignoredeleted").status == 200)

            #expect(server.stop() == 0, "SIGTERM shuts down cleanly")
            #expect(server.log.contains("DELETE /api/customer/Golf%20Industries 200"), "one log line per request")

            let restarted = try LiveServer(["serve", "--port", "0"], in: folder)
            #expect(try await restarted.waitUntilListening())
            #expect(try restarted.curl("GET", "/api/customer/Golf%20Industries").status == 404, "the delete survived")
            #expect(try restarted.curl("GET", "/api/customer/Bravo%20Hardware").status == 200)
            #expect(try restarted.curl("GET", "/api/purchase_order").body.contains(#""order_id":3"#))
            #expect(!(try restarted.curl("GET", "/api/purchase_order").body.contains(#""order_id":1"#)), "the seed is not loaded again")
            #expect(restarted.stop() == 0)
        }
    }

    /// `--log-format json`: every line the server writes to standard error is one JSON object,
    /// and the lines about a request carry the id the client sent; `/metrics` counts it.
    @Test func jsonLogLinesCarryTheRequestIdAndMetricsCountTheRequest() async throws {
        try await withTemporaryDirectory { folder in
            let server = try LiveServer(["serve", "--port", "0", "--log-format", "json"], in: folder)
            #expect(try await server.waitUntilListening(), "server did not start: \(server.log)")
            #expect(try server.curl("DELETE", "/api/contact_group/4", headers: ["X-Request-Id: load-7"]).status == 200)
            let metrics = try server.curl("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"restable_rows_changed_total{resource="contact_group_contact",verb="DELETE",action="delete"} 2"#))
            #expect(server.stop() == 0)
            let lines = server.log.split(separator: "\n").filter { !$0.hasPrefix("Restable is listening") }
            #expect(!lines.isEmpty)
            for line in lines {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["level"] is String && object?["message"] is String && object?["time"] is String, "\(line)")
            }
            let tagged = lines.filter { $0.contains(#""request":"load-7""#) }
            #expect(tagged.count == 2, "the change and the request line: \(tagged)")
            #expect(tagged.contains { $0.contains(#""message":"DELETE /api/contact_group/4 200""#) })
        }
    }

    @Test func badConfigurationStopsWithFileLineAndStatus2() async throws {
        try await withTemporaryDirectory { folder in
            let file = folder.appendingPathComponent("bad.yaml")
            try """
                database: sqlite:x.sqlite
                resources:
                  thing: { key: id, columns: { id: integer } }
                relationships:
                  - { parent: ghost, child: thing, columns: [id], onDelete: cascade }
                """.write(to: file, atomically: true, encoding: .utf8)
            let server = try LiveServer(["serve", "--config", file.path, "--port", "0"], in: folder)
            #expect(try await server.waitUntilListening() == false)
            #expect(server.stop() == 2)
            #expect(server.log.contains("bad.yaml:5:"))
            #expect(server.log.contains("relationship parent 'ghost' is not a resource"))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.sqlite").path))
        }
    }

    @Test func databaseFlagOverridesTheConfiguration() async throws {
        try await withTemporaryDirectory { folder in
            let server = try LiveServer(["serve", "--database", "sqlite::memory:", "--port", "0"], in: folder)
            #expect(try await server.waitUntilListening(), "\(server.log)")
            #expect(try server.curl("GET", "/api/user/1").status == 200)
            #expect(server.stop() == 0)
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("restable-demo.sqlite").path))
        }
    }
}

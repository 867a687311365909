import Foundation
import Testing

/// The real binary cannot be held open or stalled by a client: timeouts, the connection cap,
/// odd requests, and a shutdown that does not wait for a stalled upload.
@Suite struct ServerHardeningTests {
    static func config(_ server: String) -> String {
        """
        database: "sqlite::memory:"
        server: { \(server) }
        resources:
          customer: { key: name, columns: { name: text, balance: decimal } }
        seed:
          customer: [{ name: Alpha, balance: 10 }]
        """
    }

    /// Starts the binary with `server` settings, runs `body`, then stops it (SIGTERM) and checks its exit status.
    static func withServer(_ server: String, _ body: (LiveServer) async throws -> Void) async throws {
        try await withTemporaryDirectory { folder in
            let file = folder.appendingPathComponent("hardening.yaml")
            try config(server).write(to: file, atomically: true, encoding: .utf8)
            let live = try LiveServer(["serve", "--config", file.path, "--port", "0"], in: folder)
            let listening = try await live.waitUntilListening()
            #expect(listening, "server did not start: \(live.log)")
            guard listening else {
                _ = live.stop()
                return
            }
            try await body(live)
            #expect(live.stop() == 0)
        }
    }

    @Test func headersSentTooSlowlyAreAnswered408AndClosed() async throws {
        try await Self.withServer("headerTimeout: 1, idleTimeout: 30") { server in
            let slow = try RawConnection(port: server.port)
            slow.send("GET /health HTTP/1.1\r\nHo")
            let answer = slow.readUntilClosed()
            #expect(answer.closed)
            #expect(answer.text.hasPrefix("HTTP/1.1 408 "), "\(answer.text)")
            #expect(answer.text.contains(#""code":"requestTimeout""#))
            #expect(answer.elapsed >= .milliseconds(800) && answer.elapsed < .seconds(5), "\(answer.elapsed)")
            // A connection that sends nothing at all is held no longer.
            let silent = try RawConnection(port: server.port)
            let nothing = silent.readUntilClosed()
            #expect(nothing.closed && nothing.elapsed < .seconds(5))
            #expect(try server.curl("GET", "/health").status == 200, "other clients are served meanwhile")
        }
    }

    @Test func aStalledBodyIsAnswered408AndNothingChanges() async throws {
        try await Self.withServer("bodyTimeout: 1") { server in
            let connection = try RawConnection(port: server.port)
            connection.send(
                "PATCH /api/customer/Alpha HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"bal")
            let answer = connection.readUntilClosed()
            #expect(answer.closed)
            #expect(answer.text.hasPrefix("HTTP/1.1 408 "), "\(answer.text)")
            #expect(answer.text.lowercased().contains("connection: close"))
            #expect(answer.elapsed >= .milliseconds(800) && answer.elapsed < .seconds(5), "\(answer.elapsed)")
            #expect(try server.curl("GET", "/api/customer/Alpha").body.contains(#""balance":10"#))
        }
    }

    @Test func aBodyCutOffByTheClientRunsNothingAndIsNot413() async throws {
        try await Self.withServer("bodyTimeout: 10") { server in
            let connection = try RawConnection(port: server.port)
            connection.send(
                "PATCH /api/customer/Alpha HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"balance\": 99}")
            connection.shutdownWrite()
            let answer = connection.readUntilClosed()
            #expect(answer.closed && answer.elapsed < .seconds(5))
            #expect(!answer.text.contains(" 413 "), "\(answer.text)")
            #expect(try server.curl("GET", "/api/customer/Alpha").body.contains(#""balance":10"#), "the partial body was not applied")
            try await Task.sleep(for: .milliseconds(200))
            #expect(server.log.contains("the request body was not received completely"))
        }
    }

    @Test func anIdleKeptAliveConnectionIsClosed() async throws {
        try await Self.withServer("idleTimeout: 1") { server in
            let connection = try RawConnection(port: server.port)
            connection.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(connection.read(until: #"{"status":"ok"}"#).hasPrefix("HTTP/1.1 200 "))
            connection.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(connection.read(until: #"{"status":"ok"}"#).hasPrefix("HTTP/1.1 200 "), "kept alive between requests")
            let idle = connection.readUntilClosed()
            #expect(idle.closed && idle.text.isEmpty)
            #expect(idle.elapsed >= .milliseconds(800) && idle.elapsed < .seconds(5), "\(idle.elapsed)")
        }
    }

    @Test func connectionsBeyondTheCapAreAnswered503AtOnce() async throws {
        try await Self.withServer("maxConnections: 3, headerTimeout: 30") { server in
            var held = try (0..<3).map { _ in try RawConnection(port: server.port) }
            try await Task.sleep(for: .milliseconds(300))
            let refused = try RawConnection(port: server.port).readUntilClosed()
            #expect(refused.closed && refused.elapsed < .seconds(2), "\(refused.elapsed)")
            #expect(refused.text.hasPrefix("HTTP/1.1 503 "), "\(refused.text)")
            held.removeAll()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try server.curl("GET", "/health").status == 200, "room again once connections close")
        }
    }

    @Test func expectContinueIsAnsweredOrRefusedWithoutTheBody() async throws {
        try await Self.withServer("maxBodySize: 1000") { server in
            let connection = try RawConnection(port: server.port)
            connection.send(
                "PATCH /api/customer/Alpha HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 15\r\nExpect: 100-continue\r\n\r\n")
            #expect(connection.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue\r\n"))
            connection.send(#"{"balance": 75}"#)
            let answer = connection.read(until: #""balance":75"#)
            #expect(answer.hasPrefix("HTTP/1.1 200 "), "\(answer)")
            #expect(answer.contains(#""balance":75"#))

            let large = try RawConnection(port: server.port)
            large.send(
                "PATCH /api/customer/Alpha HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
            let refused = large.readUntilClosed()
            #expect(refused.text.hasPrefix("HTTP/1.1 413 "), "\(refused.text)")
            #expect(!refused.text.contains("100 Continue"))
            #expect(refused.closed && refused.elapsed < .seconds(3))

            let odd = try RawConnection(port: server.port)
            odd.send("GET /health HTTP/1.1\r\nHost: t\r\nExpect: tea\r\n\r\n")
            #expect(odd.readUntilClosed().text.hasPrefix("HTTP/1.1 417 "))
        }
    }

    @Test func http10IsClosedAfterTheAnswerAndHTTP11NeedsAHost() async throws {
        try await Self.withServer("idleTimeout: 30") { server in
            let old = try RawConnection(port: server.port)
            old.send("GET /health HTTP/1.0\r\n\r\n")
            let answer = old.readUntilClosed()
            #expect(answer.text.contains(#"{"status":"ok"}"#), "\(answer.text)")
            #expect(answer.closed && answer.elapsed < .seconds(3), "closed after the answer, not after the idle timeout")

            let keepAlive = try RawConnection(port: server.port)
            keepAlive.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(keepAlive.read(until: #"{"status":"ok"}"#).contains("200 OK"))
            keepAlive.send("GET /health HTTP/1.0\r\n\r\n")
            #expect(keepAlive.readUntilClosed().text.contains(#"{"status":"ok"}"#), "keep-alive was kept")

            let hostless = try RawConnection(port: server.port)
            hostless.send("GET /health HTTP/1.1\r\n\r\n")
            let refused = hostless.readUntilClosed()
            #expect(refused.text.hasPrefix("HTTP/1.1 400 "), "\(refused.text)")
            #expect(refused.text.contains("Host"))
            #expect(refused.closed)

            let twoHosts = try RawConnection(port: server.port)
            twoHosts.send("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
            #expect(twoHosts.readUntilClosed().text.hasPrefix("HTTP/1.1 400 "))
        }
    }

    /// What NIO's decoder refuses is answered in problem+json naming it, not a bare 400.
    @Test func aRequestThatIsNotHTTPIsAnsweredInProblemJSON() async throws {
        try await Self.withServer("idleTimeout: 30") { server in
            let cases: [(String, String, String)] = [
                ("GET /api/customer/\u{e9} HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 ", "invalid URL"),
                ("GET /health HTTP/1.1\r\nHost: x\r\nX-API-Key: a\u{1}b\r\n\r\n", "HTTP/1.1 400 ", "invalid character in header"),
                ("GET /api/" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 431 ", "80 KiB"),
            ]
            for (request, status, words) in cases {
                let connection = try RawConnection(port: server.port)
                connection.send(request)
                let answer = connection.readUntilClosed()
                #expect(answer.text.hasPrefix(status), "\(answer.text)")
                #expect(answer.text.contains("application/problem+json") && answer.text.contains("malformedRequest"), "\(answer.text)")
                #expect(answer.text.contains(words), "\(answer.text)")
                #expect(answer.closed)
            }
        }
    }

    @Test func sigtermDoesNotWaitForAStalledUploadBeyondTheShutdownTimeout() async throws {
        try await withTemporaryDirectory { folder in
            let file = folder.appendingPathComponent("shutdown.yaml")
            try Self.config("shutdownTimeout: 1, bodyTimeout: 60, idleTimeout: 60").write(to: file, atomically: true, encoding: .utf8)
            let server = try LiveServer(["serve", "--config", file.path, "--port", "0"], in: folder)
            #expect(try await server.waitUntilListening(), "\(server.log)")
            let stalled = try RawConnection(port: server.port)
            stalled.send(
                "PATCH /api/customer/Alpha HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"bal")
            let idle = try RawConnection(port: server.port)
            try await Task.sleep(for: .milliseconds(300))
            let started = ContinuousClock.now
            let status = server.stop()
            let elapsed = ContinuousClock.now - started
            #expect(status == 0)
            #expect(elapsed >= .milliseconds(800) && elapsed < .seconds(5), "stopped after \(elapsed)")
            #expect(idle.readUntilClosed(timeout: .seconds(1)).closed)
            #expect(server.log.contains("after shutdown began"))
        }
    }
}

import Foundation
import RestableBulk
import Testing

/// `restable delete` as a data-loading script runs it: the real binary against a real server,
/// interrupted and resumed, with the answer a script branches on.
@Suite(.serialized) struct BulkDeleteCommandTests {
    /// Runs `restable` with `arguments` in `folder`; returns its exit status, output and errors.
    static func restable(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String, errors: String) {
        let run = try IntrospectCommandTests.run(arguments, in: folder)
        return (run.status, run.out, run.err)
    }

    /// A demo server with `count` more users (ids 6 on), and a keys file naming them.
    static func serverWithUsers(_ count: Int, in folder: URL) async throws -> (LiveServer, URL) {
        let server = try LiveServer(["serve", "--port", "0", "--log-level", "warning"], in: folder)
        #expect(try await server.waitUntilListening(), "server did not start: \(server.log)")
        let inserts = (0..<count).map { #"{"@metadata":{"action":"INSERT","resource":"user"},"user_name":"u\#($0)","email":"u\#($0)@example.com"}"# }
        let body = folder.appendingPathComponent("users.json")
        try Data(("[" + inserts.joined(separator: ",") + "]").utf8).write(to: body)
        let loaded = try server.curl("POST", "/api", headers: ["Content-Type: application/json", "Prefer: return=minimal"], bodyFile: body)
        #expect(loaded.status == 200, "\(loaded.body)")
        let keys = folder.appendingPathComponent("keys.txt")
        try Data(((6..<(6 + count)).map(String.init).joined(separator: "\n") + "\n").utf8).write(to: keys)
        return (server, keys)
    }

    static func users(_ server: LiveServer) throws -> Int {
        let reply = try server.curl("GET", "/api/user?select=user_id&limit=1000")
        return reply.body.components(separatedBy: "\"user_id\"").count - 1
    }

    @Test func anInterruptedRunResumesWhereItStoppedAndEndsWithItsSummary() async throws {
        try await withTemporaryDirectory { folder in
            let (server, keys) = try await Self.serverWithUsers(600, in: folder)
            defer { _ = server.stop() }
            let handle = try FileHandle(forWritingTo: keys)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("99999\n".utf8))
            try handle.close()
            let url = "http://127.0.0.1:\(server.port)/api"
            // The keys come through a pipe, so that the test decides when the run has some to
            // send: the first 100, then Ctrl-C, then 5 more (the chunk in flight when it stops).
            let checkpoint = folder.appendingPathComponent("run.checkpoint").path
            let process = Process()
            process.executableURL = LiveServer.binary
            process.arguments = ["delete", "--url", url, "user", "--keys-from", "-", "--checkpoint", checkpoint, "--chunk-size", "5"]
            process.currentDirectoryURL = folder
            let input = Pipe()
            let output = Pipe()
            let errors = folder.appendingPathComponent("run.err")
            FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardInput = input
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            input.fileHandleForWriting.write(Data((6...105).map { "\($0)\n" }.joined().utf8))
            for _ in 0..<3_000 where ((try? Checkpoint.load(checkpoint))??.done ?? 0) < 100 { try await Task.sleep(for: .milliseconds(10)) }
            kill(process.processIdentifier, SIGINT)
            for _ in 0..<3_000 where !((try? String(contentsOf: errors, encoding: .utf8)) ?? "").contains("stopping after the chunk in flight") {
                try await Task.sleep(for: .milliseconds(10))
            }
            input.fileHandleForWriting.write(Data((106...110).map { "\($0)\n" }.joined().utf8))
            try input.fileHandleForWriting.close()
            let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 130, "\(said)")
            #expect(said.contains("interrupted after 105 keys"), "\(said)")
            let stopped = try #require(try Checkpoint.load(checkpoint))
            #expect(!stopped.finished && stopped.inDoubt == nil && stopped.done == 105 && stopped.totals.deleted == 105)
            #expect(try Self.users(server) == 500)

            let resumed = try Self.restable(
                ["delete", "--url", url, "user", "--keys-from", keys.path, "--checkpoint", checkpoint, "--chunk-size", "5"], in: folder)
            #expect(resumed.status == 1, "one key named no row: \(resumed.output)")
            #expect(resumed.output.contains("resumed after 105 keys done"))
            #expect(resumed.output.contains("deleted: 600\n") && resumed.output.contains("missing: 1\n") && resumed.output.contains("failed: 0"))
            #expect(try Self.users(server) == 5)
            // Finished: the same command again has nothing left to do and says the same.
            let again = try Self.restable(
                ["delete", "--url", url, "user", "--keys-from", keys.path, "--checkpoint", checkpoint, "--chunk-size", "5"], in: folder)
            #expect(again.status == 1 && again.output.contains("deleted: 600\n"))
            // Another chunk size is another command: the checkpoint is not its own.
            let other = try Self.restable(
                ["delete", "--url", url, "user", "--keys-from", keys.path, "--checkpoint", checkpoint, "--chunk-size", "7"], in: folder)
            #expect(other.status == 2 && other.errors.contains("belongs to another command"))
        }
    }

    /// A run killed while a chunk was in flight cannot know whether the server committed it:
    /// the next run sends it again with `ignoredeleted`, so its keys, deleted already, count as
    /// gone, not as missing, and nothing is deleted twice or skipped.
    @Test func aChunkInDoubtIsSentAgainAndItsGoneKeysAreNotMissing() async throws {
        try await withTemporaryDirectory { folder in
            let (server, keys) = try await Self.serverWithUsers(40, in: folder)
            defer { _ = server.stop() }
            let url = "http://127.0.0.1:\(server.port)/api"
            // The crashed run had sent keys 6 to 15, and the server had committed them.
            #expect(try server.curl("DELETE", "/api/user?user_id=in.(6,7,8,9,10,11,12,13,14,15)").status == 200)
            var settings = BulkDeleteSettings(url: url, resource: "user")
            settings.chunkSize = 10
            var crashed = Checkpoint(url: url, resource: "user", settings: settings.fingerprint)
            crashed.inDoubt = 10
            try crashed.save(keys.path + ".checkpoint")
            let run = try Self.restable(["delete", "--url", url, "user", "--keys-from", keys.path, "--chunk-size", "10"], in: folder)
            #expect(run.status == 0, "\(run.output)\(run.errors)")
            #expect(run.output.contains("deleted: 30\n") && run.output.contains("gone already (a chunk sent again after an interruption): 10"))
            #expect(run.output.contains("missing: 0\n"))
            #expect(try Self.users(server) == 5)
        }
    }

    @Test func strictAndLenientChunksDryRunsAndTheExitStatus() async throws {
        try await withTemporaryDirectory { folder in
            let server = try LiveServer(["serve", "--port", "0", "--log-level", "warning"], in: folder)
            #expect(try await server.waitUntilListening())
            defer { _ = server.stop() }
            let url = "http://127.0.0.1:\(server.port)/api"
            let keys = folder.appendingPathComponent("advertisers.txt")
            // Advertiser 3 has campaigns (restrict); 99 does not exist.
            try Data("1\n3\n99\n".utf8).write(to: keys)
            let dry = try Self.restable(["delete", "--url", url, "advertiser", "--keys-from", keys.path, "--lenient", "--dry-run"], in: folder)
            #expect(dry.status == 1 && dry.output.contains("would delete: 1\n") && dry.output.contains("restricted: 1"), "\(dry.output)")
            #expect(!FileManager.default.fileExists(atPath: keys.path + ".checkpoint"), "a dry run keeps no place")
            let strict = try Self.restable(["delete", "--url", url, "advertiser", "--keys-from", keys.path, "--checkpoint", "strict.cp"], in: folder)
            #expect(strict.status == 2, "nothing went: \(strict.output)")
            #expect(strict.output.contains("deleted: 0\n") && strict.output.contains("held back (their chunk had a failure; strict): 1"))
            let lenient = try Self.restable(["delete", "--url", url, "advertiser", "--keys-from", keys.path, "--lenient", "--checkpoint", "lenient.cp"], in: folder)
            #expect(lenient.status == 1 && lenient.output.contains("deleted: 1\n") && lenient.output.contains("missing: 1\n"))
            #expect(try server.curl("GET", "/api/advertiser/1").status == 404)
            // Typed from the server's description: text in an integer key is refused before anything is sent.
            try Data("4\nfour\n".utf8).write(to: keys)
            let typo = try Self.restable(["delete", "--url", url, "advertiser", "--keys-from", keys.path, "--checkpoint", "typo.cp"], in: folder)
            #expect(typo.status == 2 && typo.errors.contains("record 2 of the keys: the key is an integer, got 'four'"), "\(typo.errors)")
            #expect(try server.curl("GET", "/api/advertiser/4").status == 200)
            for bad in [["--chunk-size", "0"], ["--strict", "--lenient"], ["--url", "ftp://x"]] {
                var arguments = ["delete", "--url", url, "advertiser", "--keys-from", keys.path]
                arguments += bad
                #expect(try Self.restable(arguments, in: folder).status == 2, "\(bad)")
            }
        }
    }

    /// On a terminal the progress is a bar redrawn in place (run under a pseudo-terminal).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func onATerminalTheProgressIsABar() async throws {
        try await withTemporaryDirectory { folder in
            let (server, keys) = try await Self.serverWithUsers(200, in: folder)
            defer { _ = server.stop() }
            let command = "\(LiveServer.binary.path) delete --url http://127.0.0.1:\(server.port)/api user --keys-from \(keys.path) --chunk-size 10"
            let run = try Self.restable([], in: folder, executable: "/usr/bin/script", arguments: ["-qefc", command, "/dev/null"])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("\r\u{1B}[2K[") && run.output.contains("200/200 keys (100%)"), "\(run.output)")
            #expect(run.output.contains("deleted: 200"))
        }
    }
}

extension BulkDeleteCommandTests {
    static func restable(_ unused: [String], in folder: URL, executable: String, arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), "")
    }
}

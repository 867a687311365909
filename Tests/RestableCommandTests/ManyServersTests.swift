import Foundation
import RestableCore
import RestablePostgres
import RestableTestSupport
import Testing

/// Two server processes on one PostgreSQL database, and clients racing on the same rows with the
/// same checksum: the servers keep no state, so the database's row locks must decide every race.
@Suite(.enabled(if: PostgresScratch.isAvailable, "needs RESTABLE_POSTGRES_URL"))
struct ManyServersTests {
    static let races = 300

    @Test func exactlyOneClientWinsEachRaceAcrossTwoServers() async throws {
        let scratch = try await PostgresScratch.create()
        defer { Task { await scratch.drop() } }
        try await withTemporaryDirectory { directory in
            let config = directory.appendingPathComponent("race.yaml")
            try Self.configuration(scratch).write(to: config, atomically: true, encoding: .utf8)
            let first = try LiveServer(["serve", "--config", config.path, "--port", "0", "--log-level", "warning"], in: directory)
            defer { _ = first.stop() }
            #expect(try await first.waitUntilListening(), "\(first.log)")
            let second = try LiveServer(["serve", "--config", config.path, "--port", "0", "--log-level", "warning"], in: directory)
            defer { _ = second.stop() }
            #expect(try await second.waitUntilListening(), "\(second.log)")

            let bases = ["http://127.0.0.1:\(first.port)", "http://127.0.0.1:\(second.port)"]
            try Self.race(through: [bases[0], bases[1], bases[0], bases[1]], reading: bases)
        }
    }

    /// `deploy/local-cluster`: three servers started together on one schema (one creates and
    /// seeds the table, the others wait for it) behind HAProxy; every request of every race goes
    /// through the load balancer, which spreads them over the three.
    @Test(.enabled(if: Self.haproxyInstalled, "needs haproxy"))
    func exactlyOneClientWinsEachRaceThroughALoadBalancer() async throws {
        let scratch = try await PostgresScratch.create()
        defer { Task { await scratch.drop() } }
        try await withTemporaryDirectory { directory in
            let config = directory.appendingPathComponent("race.yaml")
            try Self.configuration(scratch).write(to: config, atomically: true, encoding: .utf8)
            let logs = directory.appendingPathComponent("cluster")
            let cluster = try Cluster(
                ["--servers", "3", "--config", config.path, "--database", scratch.location.description, "--logs", logs.path], in: directory)
            defer { cluster.stop() }
            let balancer = try #require(try await cluster.waitUntilListening(), "\(cluster.log)")

            try Self.race(through: Array(repeating: balancer, count: 4), reading: [balancer])

            var served: [Int] = []
            for n in 1...3 {
                let log = try String(contentsOf: logs.appendingPathComponent("server-\(n).log"), encoding: .utf8)
                served.append(log.split(separator: "\n").filter { $0.contains("/api/item/") }.count)
            }
            #expect(served.reduce(0, +) == 4 * Self.races, "\(served)")
            #expect(served.allSatisfy { $0 > Self.races / 2 }, "the load balancer did not spread the requests: \(served)")
        }
    }

    static var haproxyInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/haproxy")
        }
    }

    /// A table of ``races`` rows, seeded when the first server creates it.
    static func configuration(_ scratch: PostgresScratch) -> String {
        let rows = (1...Self.races).map { "    - { id: \($0), v: start }" }.joined(separator: "\n")
        return """
            database: \(scratch.location.description)
            postgres: { schema: \(scratch.schema), poolSize: 8 }
            resources:
              item:
                key: id
                columns: { id: integer, v: text }
                optimisticLocking: required
            mounts:
              - { path: /api, dialect: native }
            seed:
              item:
            \(rows)
            """
    }

    /// Runs ``races`` races: for each row, a DELETE, a PATCH, a PATCH and a DELETE, sent together
    /// to `slots` (one base URL each), all with the checksum read before. Exactly one wins; a
    /// loser gets 412 (or 404 after a winning DELETE); the table read through each of `reading`
    /// is what replaying the winners gives.
    static func race(through slots: [String], reading: [String]) throws {
        let checksums = try Self.checksums(curl(reading[0] + "/api/item?limit=1000"))
        #expect(checksums.count == Self.races)
        let methods = ["DELETE", "PATCH", "PATCH", "DELETE"]
        var transfers: [String] = []
        for id in 1...Self.races {
            let match = "If-Match: \"\(checksums[id]!)\""
            for (slot, method) in methods.enumerated() {
                var transfer = ["-X", method, "-H", match, "-o", "/dev/null", "-w", "\(slot) %{method} %{url_effective} %{http_code}\\n"]
                if method == "PATCH" {
                    transfer += ["-H", "Content-Type: application/json", "-d", "{\"v\": \"slot \(slot)\"}"]
                }
                transfers.append((transfer + ["\(slots[slot])/api/item/\(id)"]).joined(separator: "\u{1}"))
            }
        }
        let results = try Self.curlInParallel(transfers)
        #expect(results.count == methods.count * Self.races)

        var expected: [Int: String] = [:]
        var winners = 0
        for id in 1...Self.races {
            let race = results.filter { $0.path == "/api/item/\(id)" }
            let won = race.filter { (200..<300).contains($0.status) }
            #expect(won.count == 1, "race \(id): \(race)")
            guard let winner = won.first else { continue }
            winners += 1
            for loser in race where loser != winner {
                let allowed = winner.method == "DELETE" ? [404, 412] : [412]
                #expect(allowed.contains(loser.status), "race \(id): \(loser) lost to \(winner)")
            }
            if winner.method == "PATCH" { expected[id] = "slot \(winner.slot)" }
        }
        #expect(winners == Self.races)
        for base in reading {
            #expect(try Self.values(curl(base + "/api/item?limit=1000")) == expected)
        }
    }

    /// The body of a GET.
    static func curl(_ url: String) throws -> String {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-s", "--max-time", "60", url]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    struct Result: Equatable, CustomStringConvertible {
        var slot: Int
        var method: String
        var port: Int
        var path: String
        var status: Int
        var description: String { "slot \(slot): \(method) :\(port)\(path) \(status)" }
    }

    /// Runs every transfer (arguments joined by U+0001) in one `curl --parallel`, 64 at a time,
    /// in order, so that the four requests of a race start together.
    static func curlInParallel(_ transfers: [String]) throws -> [Result] {
        var arguments = ["curl", "-s", "-Z", "--parallel-max", "64", "--parallel-immediate"]
        for (index, transfer) in transfers.enumerated() {
            if index > 0 { arguments.append("--next") }
            arguments += transfer.split(separator: "\u{1}").map(String.init)
        }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = arguments
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 4, let slot = Int(parts[0]), let url = URL(string: String(parts[2])), let port = url.port,
                let status = Int(parts[3])
            else { return nil }
            return Result(slot: slot, method: String(parts[1]), port: port, path: url.path, status: status)
        }
    }

    static func rows(_ body: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
    }

    static func checksums(_ body: String) throws -> [Int: String] {
        var checksums: [Int: String] = [:]
        for row in try rows(body) {
            if let id = row["id"] as? Int, let checksum = (row["@metadata"] as? [String: Any])?["checksum"] as? String { checksums[id] = checksum }
        }
        return checksums
    }

    static func values(_ body: String) throws -> [Int: String] {
        var values: [Int: String] = [:]
        for row in try rows(body) {
            if let id = row["id"] as? Int, let v = row["v"] as? String { values[id] = v }
        }
        return values
    }
}

/// `deploy/local-cluster` run as a user runs it, until ``stop()``.
///
/// Spawned directly rather than with Foundation's Process: Process learns that a child ended
/// when a socket it hands down closes, and the servers and HAProxy that the script leaves running
/// would hold that socket. The child here keeps nothing but its standard streams.
final class Cluster {
    let pid: pid_t
    let output: URL

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/local-cluster")
    }

    init(_ arguments: [String], in directory: URL) throws {
        output = directory.appendingPathComponent("cluster.log")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        environment["RESTABLE_BINARY"] = LiveServer.binary.path
        let argv = (["/bin/bash", "-c", closingInheritedDescriptors, "cluster", Self.script.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // The spawning thread blocks most signals (a cooperative thread); the script must not
        // inherit that, or SIGTERM never reaches it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/bin/bash", &actions, &attributes, argv, envp)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        self.pid = pid
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// The load balancer's address once the script prints it; nil if the script ended first.
    func waitUntilListening(timeout: Duration = .seconds(120)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let range = log.range(of: "load balancer listening on ") {
                return String(log[range.upperBound...].prefix { !$0.isWhitespace })
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return nil }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// SIGTERM to the script, which stops what it started; waits for it to end.
    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}

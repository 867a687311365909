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
            let rows = (1...Self.races).map { "    - { id: \($0), v: start }" }.joined(separator: "\n")
            let yaml = """
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
            let config = directory.appendingPathComponent("race.yaml")
            try yaml.write(to: config, atomically: true, encoding: .utf8)
            let first = try LiveServer(["serve", "--config", config.path, "--port", "0", "--log-level", "warning"], in: directory)
            defer { _ = first.stop() }
            #expect(try await first.waitUntilListening(), "\(first.log)")
            let second = try LiveServer(["serve", "--config", config.path, "--port", "0", "--log-level", "warning"], in: directory)
            defer { _ = second.stop() }
            #expect(try await second.waitUntilListening(), "\(second.log)")

            let checksums = try Self.checksums(first.curl("GET", "/api/item?limit=10000").body)
            #expect(checksums.count == Self.races)

            // Each race: a DELETE and a PATCH on each server, all with the checksum read before.
            var transfers: [String] = []
            for id in 1...Self.races {
                let match = "If-Match: \"\(checksums[id]!)\""
                for (server, method) in [(first, "DELETE"), (second, "PATCH"), (first, "PATCH"), (second, "DELETE")] {
                    var transfer = ["-X", method, "-H", match, "-o", "/dev/null", "-w", "%{method} %{url_effective} %{http_code}\\n"]
                    if method == "PATCH" {
                        transfer += ["-H", "Content-Type: application/json", "-d", "{\"v\": \"\(server.port)\"}"]
                    }
                    transfers.append((transfer + ["http://127.0.0.1:\(server.port)/api/item/\(id)"]).joined(separator: "\u{1}"))
                }
            }
            let results = try Self.curlInParallel(transfers)
            #expect(results.count == 4 * Self.races)

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
                if winner.method == "PATCH" { expected[id] = String(winner.port) }
            }
            #expect(winners == Self.races)
            // The table is what replaying the winners gives, through either server.
            for server in [first, second] {
                let final = try Self.values(server.curl("GET", "/api/item?limit=10000").body)
                #expect(final == expected)
            }
        }
    }

    struct Result: Equatable, CustomStringConvertible {
        var method: String
        var port: Int
        var path: String
        var status: Int
        var description: String { "\(method) :\(port)\(path) \(status)" }
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
            guard parts.count == 3, let url = URL(string: String(parts[1])), let port = url.port, let status = Int(parts[2]) else { return nil }
            return Result(method: String(parts[0]), port: port, path: url.path, status: status)
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

import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RestableApp
import RestableCore
import RestableHTTP
import RestablePostgres
import RestableTestSupport
import Testing

/// Two servers on one database, as behind a load balancer: a Buzz session opened on one is
/// accepted by the other, and a sign-out on either ends it for both.
@Suite struct SharedSessionTests {
    @Test func aBuzzSessionSignedInOnOneServerIsAcceptedByTheOtherUntilItEnds() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-sessions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secret = folder.appendingPathComponent("jwt-secret").path
        try Data(SecurityTests.jwtSecret.utf8).write(to: URL(fileURLWithPath: secret))
        var configuration = try ConfigurationLoader.parse(SecurityTests.yaml(secretFile: secret), file: "test.yaml")

        configuration.database = .sqliteFile(folder.appendingPathComponent("shared.sqlite").path)
        try await Self.check(configuration, logger: logger) { try openStore(configuration.database, logger: logger) }
        guard PostgresScratch.isAvailable else { return }
        let scratch = try await PostgresScratch.create()
        configuration.database = .postgres(scratch.location)
        do {
            try await Self.check(configuration, logger: logger) { PostgresStore(scratch.location, logger: logger) }
        } catch {
            await scratch.drop()
            throw OnPostgres(error: error)
        }
        await scratch.drop()
    }

    /// Builds two applications, each with a store of its own on the configuration's database.
    static func check(_ configuration: Configuration, logger: Logger, store: () throws -> any Store) async throws {
        let options = ServeOptions(host: "127.0.0.1", port: 0, logger: logger)
        let first = try await buildApplication(configuration, store: try store(), options: options)
        let second = try await buildApplication(configuration, store: try store(), options: options)
        try await first.test(.router) { one in
            try await second.test(.router) { other in
                let a = DemoClient(client: one)
                let b = DemoClient(client: other)
                let cookie = try await SecurityTests.signIn(a, "alice")
                let deleted = try await b.send(.delete, "/rest/user/1", headers: [.cookie: cookie])
                #expect(deleted.status == .ok)
                #expect(deleted.json?["status"]?.stringValue == "SUCCESS")
                #expect(try await b.send(.delete, "/rest/user/4").status == .unauthorized)
                let out = try await b.send(.post, "/rest/logout", headers: [.cookie: cookie])
                #expect(out.status == .ok)
                let after = try await a.send(.delete, "/rest/user/4", headers: [.cookie: cookie])
                #expect(after.status == .unauthorized)
                #expect(after.json?["status"]?.stringValue == "ERROR")
                // The row that the refused request named is still there.
                #expect(try await a.send(.get, "/api/user/4", headers: SecurityTests.key(SecurityTests.readerKey)).status == .ok)
            }
        }
    }
}

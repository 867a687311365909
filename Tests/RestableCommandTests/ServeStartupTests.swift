import Foundation
import Testing

/// `restable serve` refusing to start, through the built binary.
@Suite struct ServeStartupTests {
    /// Nothing listens on port 1 of 127.0.0.1: the pool's connection is refused until the
    /// connect timeout, and the server exits 1 naming the database, without its password.
    @Test func aDatabaseThatCannotBeReachedStopsTheStartNamingItWithoutThePassword() async throws {
        try await withTemporaryDirectory { folder in
            let started = ContinuousClock.now
            let result = try IntrospectCommandTests.run(
                ["serve", "--database", "postgres://restable:s3cret@127.0.0.1:1/shop?connect_timeout=1", "--port", "0"], in: folder)
            #expect(result.status == 1)
            #expect(
                result.err.contains(
                    "restable: cannot start: the database postgres://restable:***@127.0.0.1:1/shop cannot be reached (is it running, and is the URL right?)"),
                "\(result.err)")
            #expect(!result.err.contains("s3cret") && !result.out.contains("s3cret"))
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }
}

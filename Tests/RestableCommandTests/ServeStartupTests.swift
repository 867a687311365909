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

    /// The demo's open mounts on an address beyond loopback: refused before the database opens,
    /// so no demo database is left behind.
    @Test func openMountsBeyondLoopbackAreRefusedBeforeTheDatabaseIsCreated() async throws {
        try await withTemporaryDirectory { folder in
            let result = try IntrospectCommandTests.run(["serve", "--host", "0.0.0.0", "--port", "0"], in: folder)
            #expect(result.status == 1)
            #expect(result.err.contains("0.0.0.0 is not a loopback address"), "\(result.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "no restable-demo.sqlite is created")
        }
    }

    /// A port another process listens on: one line that says so, exit status 1.
    @Test func aPortInUseStopsTheStartSayingSo() async throws {
        try await withTemporaryDirectory { folder in
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(listener) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
            }
            #expect(bound && listen(listener, 1) == 0)
            let port = Int(UInt16(bigEndian: address.sin_port))
            let result = try IntrospectCommandTests.run(["serve", "--database", "sqlite::memory:", "--port", "\(port)"], in: folder)
            #expect(result.status == 1)
            #expect(result.err.contains("restable: cannot start: 127.0.0.1:\(port) is already in use"), "\(result.err)")
        }
    }
}

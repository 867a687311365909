import RestableApp
import RestableCore
import RestableHTTP
import Testing

/// The `server` settings that keep a client from holding the server open.
@Suite struct ServerSettingsTests {
    static func yaml(_ server: String) -> String {
        """
        database: "sqlite::memory:"
        server: { \(server) }
        resources:
          thing: { key: id, columns: { id: integer } }
        """
    }

    @Test func defaultsWhenNotSet() throws {
        let limits = try ConfigurationLoader.parse(Self.yaml("maxBodySize: 10"), file: "t.yaml").limits
        #expect(limits == ServerLimits())
        #expect(limits.headerTimeout == .seconds(10))
        #expect(limits.bodyTimeout == .seconds(30))
        #expect(limits.idleTimeout == .seconds(60))
        #expect(limits.maximumConnections == 1024)
        #expect(limits.shutdownTimeout == .seconds(10))
    }

    @Test func everySettingIsRead() throws {
        let configuration = try ConfigurationLoader.parse(
            Self.yaml("headerTimeout: 2, bodyTimeout: 0.5, idleTimeout: 90, maxConnections: 64, shutdownTimeout: 3"), file: "t.yaml")
        #expect(
            configuration.limits
                == ServerLimits(
                    headerTimeout: .seconds(2), bodyTimeout: .milliseconds(500), idleTimeout: .seconds(90), maximumConnections: 64,
                    shutdownTimeout: .seconds(3)))
    }

    @Test(arguments: ["headerTimeout: 0", "bodyTimeout: -1", "idleTimeout: soon", "shutdownTimeout: 100000", "idleTimeout: .inf"])
    func aTimeoutMustBeAPositiveNumberOfSeconds(setting: String) {
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.parse(Self.yaml(setting), file: "t.yaml") }
        #expect(error?.line == 2)
        #expect(error?.message.hasSuffix("must be a number of seconds, more than 0 and at most 86400") == true, "\(String(describing: error))")
    }

    @Test func theConnectionCapMustBePositive() {
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.parse(Self.yaml("maxConnections: 0"), file: "t.yaml") }
        #expect(error?.message == "maxConnections must be a positive number of connections")
    }

    @Test func anUnknownServerKeyIsStillAnError() {
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.parse(Self.yaml("readTimeout: 5"), file: "t.yaml") }
        #expect(
            error?.message
                == "unknown key 'readTimeout' in server; expected one of: bodyTimeout, headerTimeout, host, idleTimeout, jobTimeout, lab, logFormat, maxBodySize, maxConnections, maxSummaryRows, metrics, port, purgeInterval, requestTimeout, shutdownTimeout"
        )
    }
}

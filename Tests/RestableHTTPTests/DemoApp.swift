import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RestableApp
import RestableCore
import RestableHTTP
import RestableTestSupport
import Testing

/// A response as the tests look at it: status, headers and the body parsed as JSON.
struct Reply {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    var json: JSON? { try? JSONParser.parse(Array(text.utf8)) }
    var code: String? { json?["code"]?.stringValue }
    var contentType: String? { headers[.contentType] }
}

/// A client for the demo application served in memory, one fresh database per test.
struct DemoClient {
    let client: any TestClientProtocol

    func send(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil
    ) async throws -> Reply {
        try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }
        ) { response in
            Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }

    /// The current checksum of a row, read through the API.
    func checksum(_ path: String) async throws -> String {
        let reply = try await send(.get, path)
        return try #require(reply.json?["@metadata"]?["checksum"]?.stringValue)
    }
}

/// Runs `body` against the bundled demo on a fresh in-memory database.
func withDemoApp(maximumBodySize: Int? = nil, _ body: @escaping @Sendable (DemoClient) async throws -> Void) async throws {
    var configuration = try DemoConfiguration.load()
    configuration.database = .sqliteMemory
    if let maximumBodySize { configuration.maximumBodySize = maximumBodySize }
    try await withApp(configuration, body)
}

/// Runs `body` against the application of a configuration written for the test.
func withApp(yaml: String, _ body: @escaping @Sendable (DemoClient) async throws -> Void) async throws {
    try await withApp(try ConfigurationLoader.parse(yaml, file: "test.yaml"), body)
}

/// Runs `body` on an in-memory SQLite database and then, when `RESTABLE_POSTGRES_URL` is set,
/// again on a fresh PostgreSQL schema: every HTTP test runs on both stores.
func withApp(_ configuration: Configuration, _ body: @escaping @Sendable (DemoClient) async throws -> Void) async throws {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    var sqlite = configuration
    sqlite.database = .sqliteMemory
    try await withApp(sqlite, store: openStore(.sqliteMemory, logger: logger), logger: logger, body)
    guard PostgresScratch.isAvailable else { return }
    let store = try await ScratchPostgresStore.create(logger: logger)
    var postgres = configuration
    postgres.database = .postgres(store.scratch.location)
    do {
        try await withApp(postgres, store: store, logger: logger, body)
    } catch {
        throw OnPostgres(error: error)
    }
}

private func withApp(
    _ configuration: Configuration, store: any Store, logger: Logger, _ body: @escaping @Sendable (DemoClient) async throws -> Void
) async throws {
    let app = try await buildApplication(configuration, store: store, options: ServeOptions(host: "127.0.0.1", port: 0, logger: logger))
    try await app.test(.router) { client in
        try await body(DemoClient(client: client))
    }
}

/// An error thrown by a test while it ran on PostgreSQL (after passing on SQLite).
struct OnPostgres: Error, CustomStringConvertible {
    var error: any Error
    var description: String { "on PostgreSQL: \(error)" }
}

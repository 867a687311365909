import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// The reference for Restable's PostgreSQL single-row scenario: a minimal Hummingbird server
/// that runs one prepared `DELETE ... RETURNING` in a transaction per request, through
/// PostgresNIO's pool (as many connections as Restable's pool).
///
///     reference-postgres HOST PORT USER PASSWORD DATABASE HTTP_PORT [POOL_SIZE]
///
/// `DELETE /api/leaf/{id}` answers 200 with the row as JSON, or 404 when there is none.
@main
struct ReferencePostgres {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 7, let databasePort = Int(arguments[2]), let port = Int(arguments[6]) else {
            FileHandle.standardError.write(Data("usage: reference-postgres HOST PORT USER PASSWORD DATABASE HTTP_PORT [POOL_SIZE]\n".utf8))
            exit(2)
        }
        var configuration = PostgresClient.Configuration(
            host: arguments[1], port: databasePort, username: arguments[3], password: arguments[4], database: arguments[5],
            tls: .disable)
        configuration.options.maximumConnections = arguments.count > 7 ? Int(arguments[7]) ?? 10 : 10
        let logger = Logger(label: "reference-postgres")
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)

        let router = Router()
        router.delete("/api/leaf/:id") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int64.self) else { return .json(.badRequest, #"{"error":"bad key"}"#) }
            let found: (Int64, String?)? = try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(#"DELETE FROM "leaf" WHERE "id" = \#(id) RETURNING "id", "label""#, logger: logger)
                var found: (Int64, String?)?
                for try await (key, label) in rows.decode((Int64, String?).self) { found = (key, label) }
                return found
            }
            guard let (key, label) = found else { return .json(.notFound, #"{"error":"not found"}"#) }
            return .json(.ok, #"{"id":\#(key),"label":\#(quoted(label))}"#)
        }
        router.get("/health") { _, _ in "ok" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            group.addTask { try await app.runService() }
        }
    }
}

extension Response {
    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A JSON string literal (or null).
func quoted(_ text: String?) -> String {
    guard let text else { return "null" }
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

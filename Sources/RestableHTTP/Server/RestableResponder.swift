import Foundation
public import Hummingbird
public import Logging
import NIOCore
import RestableCore

/// The HTTP entry point: `/health`, then the dialect whose mount is the longest prefix of the path.
///
/// It reads the body (up to the configured maximum), hands the request to the dialect, and
/// writes one log line per request.
public struct RestableResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let mounts: [DialectMount]
    let maximumBodySize: Int
    let logger: Logger

    public init(mounts: [DialectMount], maximumBodySize: Int, logger: Logger) {
        self.mounts = mounts.sorted { $0.path.count > $1.path.count }
        self.maximumBodySize = maximumBodySize
        self.logger = logger
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let response = await answer(request)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        logger.info(
            "\(request.method) \(request.uri.path)\(request.uri.query.map { "?" + $0 } ?? "") \(response.status.code)",
            metadata: ["ms": "\(String(format: "%.2f", milliseconds))"])
        return response
    }

    private func answer(_ request: Request) async -> Response {
        let path = request.uri.path
        if path == "/health" {
            guard request.method == .get || request.method == .head else {
                return ProblemResponse.make(RestableError(.methodNotAllowed, "/health answers GET only"), allow: "GET, HEAD")
            }
            return JSONResponse.make(.ok, .object([("status", .string("ok"))]))
        }
        for mount in mounts {
            guard let segments = mount.segments(of: path) else { continue }
            var incoming = IncomingRequest(
                method: request.method, mountPath: mount.path, segments: segments, query: QueryItems(items: []),
                headers: request.headers, body: [], authority: request.head.authority)
            do {
                incoming.query = try QueryItems(parsing: request.uri.query)
            } catch {
                return mount.dialect.failure(error, for: incoming)
            }
            do {
                var buffer = try await request.body.collect(upTo: maximumBodySize)
                incoming.body = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch {
                return mount.dialect.failure(
                    RestableError(.payloadTooLarge, "the request body is larger than the maximum of \(maximumBodySize) bytes"),
                    for: incoming)
            }
            return await mount.dialect.respond(to: incoming)
        }
        return ProblemResponse.make(RestableError(.notFound, "nothing is served at \(path)"))
    }
}

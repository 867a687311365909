import Foundation
public import Hummingbird
public import Logging
import HTTPTypes
import NIOCore
import RestableAuth
import RestableCore
import RestableOpenAPI

/// The HTTP entry point: `/health`, `/metrics`, the REST Lab under `/lab`, then the dialect
/// whose mount is the longest prefix of the path.
///
/// It reads the body (up to the configured maximum), hands the request to the dialect, writes
/// one log line per request and counts it in ``ServerMetrics``.
public struct RestableResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let mounts: [DialectMount]
    let maximumBodySize: Int
    let logger: Logger
    /// Where requests are counted, and what `/metrics` shows; nil: no `/metrics`.
    let metrics: ServerMetrics?
    /// The REST Lab's page and files under `/lab`; nil: no `/lab`.
    let lab: LabSite?

    /// - Parameter lab: whether `/lab` serves the REST Lab (``LabSite``).
    public init(mounts: [DialectMount], maximumBodySize: Int, logger: Logger, metrics: ServerMetrics? = nil, lab: Bool = true) {
        self.mounts = mounts.sorted { $0.path.count > $1.path.count }
        self.maximumBodySize = maximumBodySize
        self.logger = logger
        self.metrics = metrics
        self.lab = lab ? LabSite(mounts: self.mounts) : nil
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = Self.requestID(request.headers)
        var caller = "anonymous"
        var place = RoutePlace(mount: "", route: "(none)")
        var response = await answer(request, requestID: requestID, caller: &caller, place: &place)
        response.headers[Self.requestIDHeader] = requestID
        let elapsed = ContinuousClock.now - started
        metrics?.request(
            mount: place.mount, route: place.route, method: RoutePlace.method(request.method), status: Int(response.status.code), duration: elapsed)
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        // The path only: a query string may hold values a caller would not want in a log.
        logger.info(
            "\(request.method) \(request.uri.path) \(response.status.code)",
            metadata: ["ms": "\(String(format: "%.2f", milliseconds))", "request": "\(requestID)", "principal": "\(caller)"])
        return response
    }

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!

    /// The client's `X-Request-Id` when it is one short word of safe characters (1 to 64 of
    /// letters, digits, `-`, `_`, `.`), else a new one.
    static func requestID(_ headers: HTTPFields) -> String {
        if headers[values: requestIDHeader].count == 1, let given = headers[requestIDHeader], (1...64).contains(given.utf8.count),
            given.utf8.allSatisfy(isSafe)
        {
            return given
        }
        return newRequestID()
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    /// A random version-4 UUID in lower case, written without Foundation's formatting.
    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        bytes.0 = (bytes.0 & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        bytes.1 = (bytes.1 & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 8 || index == 12 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int((bytes.0 >> UInt64(shift)) & 0xF)])
        }
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 0 || index == 4 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int((bytes.1 >> UInt64(shift)) & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private func answer(_ request: Request, requestID: String, caller: inout String, place: inout RoutePlace) async -> Response {
        let path = request.uri.path
        if path == "/health" {
            place.route = path
            guard request.method == .get || request.method == .head else {
                return ProblemResponse.make(RestableError(.methodNotAllowed, "/health answers GET only"), allow: "GET, HEAD")
            }
            if let refusal = Self.refuseQuery(request, path) { return refusal }
            return JSONResponse.make(.ok, .object([("status", .string("ok"))]))
        }
        if path == "/metrics", let metrics {
            place.route = path
            guard request.method == .get || request.method == .head else {
                return ProblemResponse.make(RestableError(.methodNotAllowed, "/metrics answers GET only"), allow: "GET, HEAD")
            }
            if let refusal = Self.refuseQuery(request, path) { return refusal }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        if let lab, LabSite.owns(path) {
            place.route = lab.route(path)
            return lab.answer(request, path: path)
        }
        for mount in mounts {
            guard let segments = mount.segments(of: path) else { continue }
            place = RoutePlace(mount: mount.path, route: RoutePlace.route(segments, words: mount.dialect.routeWords))
            var incoming = IncomingRequest(
                method: request.method, mountPath: mount.path, segments: segments, query: QueryItems(items: []),
                headers: request.headers, body: [], authority: request.head.authority)
            incoming.requestID = requestID
            let maximumBodySize = mount.maximumBodySize ?? self.maximumBodySize
            let tooLarge = RestableError(.payloadTooLarge, "the request body is larger than the maximum of \(maximumBodySize) bytes")
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBodySize {
                // Refused before reading it (a client sending Expect: 100-continue never sends it).
                return Self.closing(mount.dialect.failure(tooLarge, for: incoming))
            }
            do {
                incoming.query = try QueryItems(parsing: request.uri.query)
            } catch {
                return mount.dialect.failure(error, for: incoming)
            }
            do {
                var buffer = try await request.body.collect(upTo: maximumBodySize)
                incoming.body = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch is NIOTooManyBytesError {
                return Self.closing(mount.dialect.failure(tooLarge, for: incoming))
            } catch is RequestBodyTimeout {
                return Self.closing(
                    ProblemResponse.make(RestableError(.requestTimeout, "the request body stopped arriving before it was complete"), instance: path))
            } catch {
                // The connection broke (or the body was malformed): nothing is run, and the answer probably never arrives.
                logger.notice(
                    "the request body was not received completely; the request was not run",
                    metadata: ["method": "\(request.method)", "path": "\(path)", "error": "\(error)"])
                return Self.closing(
                    ProblemResponse.make(RestableError(.invalidBody, "the request body was not received completely"), instance: path))
            }
            if segments == ["openapi.json"] {
                return await openAPI(mount, incoming, caller: &caller)
            }
            if let security = mount.security, !mount.dialect.admitsWithoutCredentials(incoming) {
                do {
                    incoming.access = try await security.access(for: incoming.headers, engine: mount.dialect.engine)
                    caller = incoming.access.callerName
                } catch {
                    var response = mount.dialect.failure(error, for: incoming)
                    if error.code == .unauthenticated {
                        response.headers[.wwwAuthenticate] = security.challenges(invalidToken: error.message.hasPrefix(JWTVerifier.refusalPrefix))
                    }
                    if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
                    return response
                }
            }
            var response = await mount.dialect.respond(to: incoming)
            if let security = mount.security, response.status == .unauthorized, response.headers[.wwwAuthenticate] == nil {
                response.headers[.wwwAuthenticate] = security.challenges()
            }
            return response
        }
        return ProblemResponse.make(RestableError(.notFound, "nothing is served at \(path)"))
    }

    /// `400` for a query string on a route that reads none (`/health`, `/metrics`): never ignored.
    private static func refuseQuery(_ request: Request, _ path: String) -> Response? {
        guard let query = request.uri.query, !query.isEmpty else { return nil }
        return ProblemResponse.make(RestableError(.invalidQuery, "\(path) takes no query parameters"), instance: path)
    }

    /// `GET {mount}/openapi.json`: the mount's OpenAPI document. Without credentials it shows
    /// every route; with credentials (checked as for any request) only what the caller's roles
    /// allow.
    private func openAPI(_ mount: DialectMount, _ request: IncomingRequest, caller: inout String) async -> Response {
        guard request.method == .get || request.method == .head else {
            var response = mount.dialect.failure(RestableError(.methodNotAllowed, "the OpenAPI document answers GET only"), for: request)
            response.headers[.allow] = "GET, HEAD"
            return response
        }
        var dialect = mount.dialect
        do throws(RestableError) {
            try request.query.refuseOthers(than: [], here: "the OpenAPI document")
            guard request.body.isEmpty else { throw RestableError(.invalidBody, "a GET of the OpenAPI document reads no body") }
        } catch {
            return dialect.failure(error, for: request)
        }
        if let security = mount.security, security.presentsCredentials(request.headers) {
            do {
                let access = try await security.access(for: request.headers, engine: dialect.engine)
                caller = access.callerName
                dialect.engine = dialect.engine.acting(as: access, requestID: request.requestID)
            } catch {
                var response = dialect.failure(error, for: request)
                if error.code == .unauthenticated {
                    response.headers[.wwwAuthenticate] = security.challenges(invalidToken: error.message.hasPrefix(JWTVerifier.refusalPrefix))
                }
                if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
                return response
            }
        }
        var builder = OpenAPIBuilder(title: "Restable \(mount.path.isEmpty ? "/" : mount.path)", summary: mount.summary, mountPath: mount.path)
        mount.security?.describe(into: &builder)
        dialect.describe(into: &builder)
        do {
            let bytes = try builder.json()
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        } catch {
            logger.error("the OpenAPI document could not be encoded", metadata: ["error": "\(error)"])
            return dialect.failure(RestableError(.internalError, "the OpenAPI document could not be written; the server log has the details"), for: request)
        }
    }

    /// `response`, closing the connection after it (the rest of the body is not read).
    private static func closing(_ response: Response) -> Response {
        var response = response
        response.headers[.connection] = "close"
        return response
    }
}

/// Where a request went, as metrics label it: the mount's path and a route with few values
/// (a resource name becomes `{resource}`, a key `{key}`), so that no client can make a series
/// of its own by what it sends.
struct RoutePlace {
    var mount: String
    var route: String

    /// The route of `segments` under a mount: a segment the dialect names as a fixed word of its
    /// routes (`_transactions`, `undo`, `query`; compared in lower case) or `openapi.json` first
    /// is itself; any other is `{resource}` first and `{key}` after.
    static func route(_ segments: [String], words: Set<String>) -> String {
        guard !segments.isEmpty else { return "/" }
        var parts: [String] = []
        for (index, segment) in segments.prefix(6).enumerated() {
            let word = segment.lowercased()
            if index == 0 {
                parts.append(words.contains(word) || segment == "openapi.json" ? word : "{resource}")
            } else {
                parts.append(words.contains(word) ? word : "{key}")
            }
        }
        return "/" + parts.joined(separator: "/") + (segments.count > 6 ? "/..." : "")
    }

    /// The method's name, or `other` for a method HTTP does not define for resources.
    static func method(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .patch, .delete, .options: method.rawValue
        default: "other"
        }
    }
}

public import Hummingbird
public import RestableCore
public import RestableOpenAPI

/// One HTTP wire format over the engine, mounted at a path prefix.
///
/// A dialect only translates: it parses an ``IncomingRequest`` into engine requests and renders
/// the engine's results and ``RestableError``s in its own format. No delete rule lives in a dialect.
public protocol Dialect: Sendable {
    /// The engine the dialect translates for; ``respond(to:)`` hands ``handle(_:)`` a copy
    /// acting for the request's caller.
    var engine: Engine { get set }

    /// Answers one request whose path lies under the dialect's mount; an error it throws is
    /// rendered by ``failure(_:for:)``.
    func handle(_ request: IncomingRequest) async throws(RestableError) -> Response

    /// An error, in the dialect's own format: one that ``handle(_:)`` threw, or one found before
    /// the dialect could answer (a body over the size limit).
    func failure(_ error: RestableError, for request: IncomingRequest) -> Response

    /// True for the routes a client calls before it has credentials (Buzz's sign-in).
    func admitsWithoutCredentials(_ request: IncomingRequest) -> Bool

    /// The mount's routes, for its OpenAPI document: what ``engine``'s caller may do.
    func describe(into builder: inout OpenAPIBuilder)

    /// Path segments that are fixed words of the dialect's routes (lower case), which metrics
    /// show as they are; any other segment is a resource or a key there.
    var routeWords: Set<String> { get }
}

extension Dialect {
    /// Answers one request; never throws: every failure becomes a response in the dialect's
    /// format, with `Retry-After` when the error says when to try again.
    public func respond(to request: IncomingRequest) async -> Response {
        var scoped = self
        scoped.engine = engine.acting(as: request.access, requestID: request.requestID)
        do {
            return try await scoped.handle(request)
        } catch {
            var response = failure(error, for: request)
            if let seconds = error.retryAfter, response.headers[.retryAfter] == nil {
                response.headers[.retryAfter] = String(seconds)
            }
            return response
        }
    }
}

extension Dialect {
    public func admitsWithoutCredentials(_ request: IncomingRequest) -> Bool { false }
    public var routeWords: Set<String> { [] }
}

/// A request as a dialect sees it: the mount already matched, the body already read.
public struct IncomingRequest: Sendable {
    public var method: HTTPRequest.Method
    /// The mount's path prefix (`/api`), used to build hrefs.
    public var mountPath: String
    /// The path segments after the mount, still percent-encoded (`["customer", "New%20Customer"]`).
    public var segments: [String]
    /// The query string's items, percent-decoded, in order; a bare `name` has a nil value.
    public var query: QueryItems
    public var headers: HTTPFields
    /// The body's bytes (empty when there is none).
    public var body: [UInt8]
    /// The host (and port) the client addressed (the Host header), for absolute links.
    public var authority: String?
    /// Who sends it, once the mount's security has recognised the caller.
    public var access: Access = .unrestricted
    /// The request's id (`X-Request-Id`), in every log line about it.
    public var requestID: String?

    public init(
        method: HTTPRequest.Method, mountPath: String, segments: [String], query: QueryItems, headers: HTTPFields, body: [UInt8],
        authority: String? = nil
    ) {
        self.method = method
        self.mountPath = mountPath
        self.segments = segments
        self.query = query
        self.headers = headers
        self.body = body
        self.authority = authority
    }
}

extension IncomingRequest {
    /// The request without its body and headers: what an answer rendered later (a job's) needs
    /// of it, without keeping the payload or the credentials for as long as the job runs.
    public var withoutPayload: IncomingRequest {
        var request = self
        request.body = []
        request.headers = [:]
        return request
    }
}

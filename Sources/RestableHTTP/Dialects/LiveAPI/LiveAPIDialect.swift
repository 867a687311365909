import Foundation
import HTTPTypes
public import Hummingbird
public import RestableCore

/// CA Live API Creator (Espresso Logic), verbatim: resources under their LAC names
/// (`demo:customer`), rows and summaries with `@metadata` (`href`, `checksum`, and for the
/// `txsummary` also `resource` and `verb`), `?checksum=` on DELETE (`override` bypasses it),
/// `?ignoredeleted`, batch changes by a PUT of `@metadata` objects with `action`, and errors as
/// `{"statusCode", "errorCode", "errorMessage"}`.
public struct LiveAPIDialect: Dialect {
    public var engine: Engine
    let names: ResourceNames

    public init(engine: Engine, names: ResourceNames) {
        self.engine = engine
        self.names = names
    }

    public func failure(_ error: RestableError, for request: IncomingRequest) -> Response {
        Self.error(error)
    }

    public func handle(_ request: IncomingRequest) async throws(RestableError) -> Response {
        _ = try Preferences(request.headers, supported: [])
        try Self.checkForwardedProto(request)
        let segments = try request.segments.map { segment throws(RestableError) in try PathSegments.decode(segment) }
        switch (segments.count, request.method) {
        case (0, .put): return try await batch(request, resource: nil)
        case (0, _): throw RestableError(.methodNotAllowed, "the API root takes PUT (a batch)")
        case (1, .get), (1, .head): return try await list(try resource(segments[0]), request)
        case (1, .post): return try await insert(try resource(segments[0]), request)
        case (1, .put): return try await batch(request, resource: try resource(segments[0]))
        case (1, _): throw RestableError(.methodNotAllowed, "\(request.method) is not allowed on a collection; use GET, POST or PUT")
        case (2, .get), (2, .head): return try await get(try resource(segments[0]), key: try PathSegments.key(request.segments[1]), request)
        case (2, .delete): return try await delete(try resource(segments[0]), key: try PathSegments.key(request.segments[1]), request)
        case (2, _): throw RestableError(.methodNotAllowed, "\(request.method) is not allowed on an object; use GET or DELETE, or PUT a batch")
        default: throw RestableError(.notFound, "nothing is served at this path")
        }
    }

    func resource(_ name: String) throws(RestableError) -> Resource {
        try names.resource(name, in: engine.schema)
    }

    /// Refuses a malformed `X-Forwarded-Proto` before anything runs, so that every href is right.
    static func checkForwardedProto(_ request: IncomingRequest) throws(RestableError) {
        _ = try request.scheme()
    }

    /// `?checksum=` on a DELETE: required, as LAC requires it; `override` bypasses locking.
    static func deletePrecondition(_ request: IncomingRequest) throws(RestableError) -> Precondition {
        guard let checksum = try request.query.single("checksum"), !checksum.isEmpty else {
            throw RestableError(
                .checksumRequired,
                "a DELETE needs the object's checksum: add ?checksum=<the checksum from its @metadata>, or ?checksum=override to bypass optimistic locking")
        }
        return Precondition(checksum: checksum)
    }

    /// LAC's status for each engine error.
    static func status(of code: RestableError.Code) -> HTTPResponse.Status {
        switch code {
        case .checksumRequired: .badRequest
        case .checksumMismatch: .conflict
        default: ProblemResponse.status(of: code)
        }
    }

    static func error(_ error: RestableError) -> Response {
        let status = status(of: error.code)
        var message = error.message
        if error.code == .notFound { message = "No such object: " + message }
        return JSONResponse.make(
            status,
            .object([
                ("statusCode", .integer(Int64(status.code))), ("errorCode", .string(error.code.description)),
                ("errorMessage", .string(message)),
            ]))
    }
}

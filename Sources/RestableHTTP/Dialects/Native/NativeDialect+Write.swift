import Hummingbird
import RestableCore

/// POST (create) and PATCH (update).
extension NativeDialect {
    func create(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [], here: "a POST of a row")
        let preferences = try Preferences(request.headers, supported: [.return])
        let values = try RowRendering.values(try Self.jsonBody(request))
        let row = try await engine.create(CreateRequest(resource: resource.name, values: values))
        let location = href(resource, row.key(in: resource), mountPath: request.mountPath)
        let headers: HTTPFields = [.location: location, .eTag: Self.entityTag(row, of: resource)]
        if preferences.returnMinimal {
            return Self.applying(preferences, to: Response(status: .created, headers: headers))
        }
        return Self.applying(preferences, to: JSONResponse.make(.created, render(row, of: resource, mountPath: request.mountPath), headers: headers))
    }

    func update(_ resource: Resource, _ key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [.checksum], here: "a PATCH")
        let preferences = try Preferences(request.headers, supported: [.return])
        let body = try Self.jsonBody(request)
        let values = try RowRendering.values(body)
        guard !values.isEmpty else {
            throw RestableError(.invalidBody, "the body names no column to change")
        }
        let precondition = try Self.precondition(request, bodyChecksum: try body.checksumPrecondition(in: "the body"))
        let row = try await engine.update(
            UpdateRequest(resource: resource.name, key: key, values: values, precondition: precondition))
        let headers: HTTPFields = [.eTag: Self.entityTag(row, of: resource)]
        if preferences.returnMinimal {
            return Self.applying(preferences, to: Response(status: .noContent, headers: headers))
        }
        return Self.applying(preferences, to: JSONResponse.make(.ok, render(row, of: resource, mountPath: request.mountPath), headers: headers))
    }
}

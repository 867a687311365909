import Hummingbird
import RestableCore

/// DELETE of one row: 200 with the transaction summary, or 204 on `Prefer: return=minimal`.
extension NativeDialect {
    func delete(_ resource: Resource, _ key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let outcome = try await engine.delete(
            DeleteRequest(
                resource: resource.name, key: key, precondition: try Self.precondition(request),
                ignoreMissing: request.query.flag("ignoredeleted")))
        if Self.preferences(request).contains("return=minimal") {
            return Response(status: .noContent)
        }
        let summary = outcome.changes.map { render($0, mountPath: request.mountPath) }
        return JSONResponse.make(.ok, .object([("txsummary", .array(summary))]))
    }
}

import Foundation
import Hummingbird
import RestableCore

/// Reading, inserting and deleting single objects, and LAC's row and summary format.
extension LiveAPIDialect {
    /// The absolute href LAC gives an object: the request's scheme and host, the mount, the
    /// resource's LAC name and the key.
    func href(_ resource: Resource, _ key: Key?, _ request: IncomingRequest) -> String {
        let host = request.authority ?? "localhost"
        let scheme = request.headers[.init("X-Forwarded-Proto")!] ?? "http"
        var href = "\(scheme)://\(host)\(request.mountPath)/\(PercentEncoding.encodeName(names.exposedName(of: resource.name)))"
        if let key { href += "/" + RowRendering.pathSegment(key) }
        return href
    }

    func render(_ row: Row, of resource: Resource, _ request: IncomingRequest) -> JSON {
        .object(
            [("@metadata", .object([("href", .string(href(resource, row.key(in: resource), request))), ("checksum", .string(Checksum.of(row, in: resource)))]))]
                + RowRendering.members(row, of: resource))
    }

    func render(_ change: Change, _ request: IncomingRequest) -> JSON {
        guard let resource = engine.schema.resource(named: change.resource) else { return .null }
        let metadata: JSON = .object([
            ("href", .string(href(resource, change.key, request))),
            ("resource", .string(names.exposedName(of: change.resource))),
            ("verb", .string(change.verb.rawValue)),
            ("checksum", .string(change.checksum)),
        ])
        return .object([("@metadata", metadata)] + RowRendering.members(change.row, of: resource))
    }

    /// `{"statusCode": 200, "txsummary": [...]}`; `?txsummary=false` leaves the summary out,
    /// `?rulesummary` adds an empty rule summary (Restable runs no rules).
    func summary(_ outcome: ChangeOutcome, status: HTTPResponse.Status, _ request: IncomingRequest) -> Response {
        var members: [(String, JSON)] = [("statusCode", .integer(Int64(status.code)))]
        if request.query["txsummary"].map({ ["false", "0", "no"].contains($0.lowercased()) }) != true {
            members.append(("txsummary", .array(outcome.changes.map { render($0, request) })))
            if outcome.truncated { members.append(("txsummaryTruncated", .bool(true))) }
        }
        if request.query.contains("rulesummary") { members.append(("rulesummary", .array([]))) }
        return JSONResponse.make(status, .object(members))
    }

    func list(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        var limit: Int?
        if let text = request.query["pagesize"] ?? request.query["limit"] {
            guard let value = Int(text), value >= 0 else { throw RestableError(.invalidQuery, "pagesize must be a whole number") }
            limit = value
        }
        let rows = try await engine.list(ListRequest(resource: resource.name, limit: limit))
        return JSONResponse.make(.ok, .array(rows.map { render($0, of: resource, request) }))
    }

    func get(_ resource: Resource, key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let row = try await engine.get(resource: resource.name, key: key)
        return JSONResponse.make(.ok, render(row, of: resource, request))
    }

    func delete(_ resource: Resource, key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let outcome = try await engine.delete(
            DeleteRequest(
                resource: resource.name, key: key, precondition: try Self.deletePrecondition(request),
                ignoreMissing: request.query.flag("ignoredeleted")))
        return summary(outcome, status: .ok, request)
    }

    /// POST of one object or an array of objects: inserts, 201 with the summary.
    func insert(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let objects = try Self.objects(request)
        let operations = try objects.map { object throws(RestableError) in
            BatchOperation.insert(resource: resource.name, values: try RowRendering.values(object))
        }
        return try await run(operations, created: true, request)
    }

    static func objects(_ request: IncomingRequest) throws(RestableError) -> [JSON] {
        guard !request.body.isEmpty else { throw RestableError(.invalidBody, "the request needs a JSON body") }
        let body: JSON
        do {
            body = try JSONParser.parse(request.body)
        } catch {
            throw RestableError(.invalidBody, "the body is not valid JSON: \(error)")
        }
        if case .array(let elements) = body { return elements }
        return [body]
    }

    /// Runs operations in one transaction; one failure fails them all (LAC is all or nothing).
    func run(_ operations: [BatchOperation], created: Bool, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let outcome = try await engine.batch(
            BatchRequest(operations: operations, options: DeleteOptions(ignoreMissing: request.query.flag("ignoredeleted"))))
        if let failure = outcome.failures.first {
            var error = failure.error
            let more = outcome.failures.count - 1
            if more > 0 { error.message += " (and \(more) more failure\(more == 1 ? "" : "s"); nothing was changed)" }
            throw error
        }
        return summary(outcome, status: created ? .created : .ok, request)
    }
}

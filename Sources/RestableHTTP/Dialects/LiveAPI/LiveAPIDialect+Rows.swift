import Foundation
import Hummingbird
import RestableCore

/// Reading, inserting and deleting single objects, and LAC's row and summary format.
extension LiveAPIDialect {
    /// The absolute href LAC gives an object: the request's scheme and host, the mount, the
    /// resource's LAC name and the key.
    func href(_ resource: Resource, _ key: Key?, _ request: IncomingRequest) -> String {
        let scheme = (try? request.scheme()) ?? "http"
        var href = "\(scheme)://\(request.authority ?? "localhost")\(request.mountPath)/\(PercentEncoding.encodeName(names.exposedName(of: resource.name)))"
        if let key { href += "/" + RowRendering.pathSegment(key) }
        return href
    }

    func render(_ row: Row, of resource: Resource, _ request: IncomingRequest) -> JSON {
        .object(
            [("@metadata", .object([("href", .string(href(resource, resource.key.isEmpty ? nil : row.key(in: resource), request))), ("checksum", .string(Checksum.of(row, in: resource)))]))]
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
    /// A dry run (`?dryrun`) adds `"dryRun": true`: everything ran and was rolled back.
    func summary(_ outcome: ChangeOutcome, status: HTTPResponse.Status, _ request: IncomingRequest) throws(RestableError) -> Response {
        var members: [(String, JSON)] = [("statusCode", .integer(Int64(status.code)))]
        if outcome.dryRun { members.append(("dryRun", .bool(true))) }
        if try !Self.summaryDropped(request) {
            members.append(("txsummary", .array(outcome.changes.map { render($0, request) })))
            if outcome.truncated { members.append(("txsummaryTruncated", .bool(true))) }
        }
        if try request.query.flag("rulesummary") { members.append(("rulesummary", .array([]))) }
        return JSONResponse.make(status, .object(members)).naming(outcome)
    }

    static func summaryDropped(_ request: IncomingRequest) throws(RestableError) -> Bool {
        try !(request.query.boolean("txsummary") ?? true)
    }

    /// The options of a change: `?ignoredeleted` (where `ignoreMissing` applies) and `?dryrun`.
    static func options(_ request: IncomingRequest) throws(RestableError) -> DeleteOptions {
        DeleteOptions(
            ignoreMissing: try request.query.flag("ignoredeleted"), dryRun: try request.query.flag("dryrun"),
            summaryLimit: try summaryDropped(request) ? 0 : nil)
    }

    /// A GET reads its query only: a body (a filter a client meant to send, say) is refused
    /// rather than ignored.
    static func refuseBody(_ request: IncomingRequest, _ here: String) throws(RestableError) {
        guard request.body.isEmpty else {
            throw RestableError(.invalidBody, "\(here) reads no body: filter with sysfilter and sysorder in the query")
        }
    }

    /// LAC's default and largest page.
    static let defaultPageSize = 20
    static let largestPageSize = 1_000

    /// GET of a collection: `sysfilter` (any number, all must hold), `sysorder`, `pagesize`
    /// (or `limit`; 20 when absent, at most 1,000) and `offset`. When more objects match, the
    /// last element of the array is `{"@metadata": {"next_batch": "..."}}`, the same request
    /// one page on.
    func list(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        for (freeForm, example) in [("filter", "sysfilter=equal(name: 'Jones')"), ("order", "sysorder=(name:desc)")]
        where request.query.contains(freeForm) {
            throw RestableError(
                .invalidQuery, "free-form '\(freeForm)' is SQL, which Restable never runs: use sys\(freeForm) (for example \(example))")
        }
        try Self.refuseBody(request, "a GET of a collection")
        try request.query.refuseOthers(than: ["sysfilter", "sysorder", "pagesize", "limit", "offset"], here: "a GET of a collection")
        let pagesize = try request.query.count("pagesize")
        let limit = try request.query.count("limit")
        if pagesize != nil, limit != nil, pagesize != limit {
            throw RestableError(.invalidQuery, "pagesize and limit disagree; send one")
        }
        let size = pagesize ?? limit ?? Self.defaultPageSize
        guard (1...Self.largestPageSize).contains(size) else {
            throw RestableError(.invalidQuery, "\(pagesize == nil ? "limit" : "pagesize") must be from 1 to \(Self.largestPageSize), got \(size)")
        }
        let offset = try request.query.count("offset") ?? 0
        let filters = request.query.filter { $0.name == "sysfilter" }.map { $0.value ?? "" }
        let filter = try LiveAPIQuery.filter(filters)
        let order = try request.query.single("sysorder").map { text throws(RestableError) in try LiveAPIQuery.order(text) } ?? []
        let rows = try await engine.list(
            ListRequest(resource: resource.name, filter: filter, order: order, limit: size + 1, offset: offset))
        var objects = rows.prefix(size).map { render($0, of: resource, request) }
        if rows.count > size {
            var parameters = filters.map { "sysfilter=" + PercentEncoding.encode($0) }
            if let sysorder = try request.query.single("sysorder") { parameters.append("sysorder=" + PercentEncoding.encode(sysorder)) }
            parameters += ["pagesize=\(size)", "offset=\(offset + size)"]
            let next = href(resource, nil, request) + "?" + parameters.joined(separator: "&")
            objects.append(.object([("@metadata", .object([("next_batch", .string(next))]))]))
        }
        return JSONResponse.make(.ok, .array(objects))
    }

    func get(_ resource: Resource, key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try request.query.refuseOthers(than: [], here: "a GET of one object")
        try Self.refuseBody(request, "a GET of one object")
        let row = try await engine.get(resource: resource.name, key: key)
        return JSONResponse.make(.ok, render(row, of: resource, request))
    }

    func delete(_ resource: Resource, key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try request.query.refuseOthers(
            than: ["checksum", "ignoredeleted", "txsummary", "rulesummary", "dryrun"], here: "a DELETE")
        guard request.body.isEmpty else {
            throw RestableError(.invalidBody, "a DELETE reads no body: send the checksum as ?checksum=, or PUT a batch")
        }
        let precondition = try Self.deletePrecondition(request)
        let outcome = try await engine.delete(
            DeleteRequest(resource: resource.name, key: key, precondition: precondition, options: try Self.options(request)))
        return try summary(outcome, status: .ok, request)
    }

    /// POST of one object or an array of objects: inserts, 201 with the summary.
    func insert(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try request.query.refuseOthers(than: ["txsummary", "rulesummary", "dryrun"], here: "a POST")
        let objects = try Self.objects(request)
        let operations = try objects.map { object throws(RestableError) in
            try Self.refuseUnknownMetadata(object)
            return BatchOperation.insert(resource: resource.name, values: try RowRendering.values(object))
        }
        return try await run(operations, created: true, request)
    }

    static func objects(_ request: IncomingRequest) throws(RestableError) -> [JSON] {
        try MediaType.requireJSON(request.headers)
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
        let outcome = try await engine.batch(BatchRequest(operations: operations, options: try Self.options(request)))
        if let failure = outcome.failures.first {
            var error = failure.error
            let more = outcome.failures.count - 1
            if more > 0 { error.message += " (and \(more) more failure\(more == 1 ? "" : "s"); nothing was changed)" }
            throw error
        }
        return try summary(outcome, status: created ? .created : .ok, request)
    }
}

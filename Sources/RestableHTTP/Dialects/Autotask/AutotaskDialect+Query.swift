import Hummingbird
import RestableCore

/// Autotask's reads: the query API (`/{Entity}/query`, `/query/count`, and the page links
/// `/query/next` and `/query/prev`), child collections (`/{Entity}/{id}/{Child}`), and zone
/// discovery (`/zoneInformation`).
///
/// Pages are keyset pages in id order: `nextPageUrl` holds the last id of the page, so that
/// following it visits every matching row exactly once, even while rows are added or deleted.
extension AutotaskDialect {
    /// `{Entity}/query...`: `rest` is what follows `query` (lowercased).
    func query(_ resource: Resource, _ rest: [String], _ request: IncomingRequest) async throws(RestableError) -> Response {
        switch (rest, request.method) {
        case ([], .get), ([], .post):
            let search = try Self.search(request, of: resource)
            return try await page(resource, search, cursor: nil, request)
        case (["count"], .get), (["count"], .post):
            let search = try Self.search(request, of: resource)
            let count = try await engine.count(ListRequest(resource: resource.name, filter: search.filter))
            return JSONResponse.make(.ok, .object([("queryCount", .integer(Int64(count)))]))
        case (["next"], .get), (["prev"], .get):
            try request.query.refuseOthers(than: ["paging", "search"], here: "a page link")
            guard let paging = try request.query.single("paging"), let text = try request.query.single("search") else {
                throw RestableError(.invalidQuery, "a page link needs 'paging' and 'search'")
            }
            let search = try AutotaskSearch(text, of: resource)
            return try await page(resource, search, cursor: try Self.cursor(paging, next: rest == ["next"]), request)
        case ([], _), (["count"], _), (["next"], _), (["prev"], _):
            throw RestableError(.methodNotAllowed, "\(request.method) is not supported on this URL")
        default:
            throw RestableError(.notFound, "no query at this URL (use query, query/count, query/next or query/prev)")
        }
    }

    /// The search of a query: `?search=` on a GET, the body on a POST.
    static func search(_ request: IncomingRequest, of resource: Resource) throws(RestableError) -> AutotaskSearch {
        if request.method == .post {
            try request.query.refuseOthers(than: [], here: "a POST query (the search is the body)")
            try MediaType.requireJSON(request.headers)
            guard !request.body.isEmpty else { throw RestableError(.invalidBody, "a POST query needs the search as its JSON body") }
            let json: JSON
            do {
                json = try JSONParser.parse(request.body)
            } catch {
                throw RestableError(.invalidFilter, "the search is not valid JSON: \(error)")
            }
            return try AutotaskSearch(json, of: resource)
        }
        try request.query.refuseOthers(than: ["search"], here: "a GET query")
        guard let text = try request.query.single("search"), !text.isEmpty else {
            throw RestableError(.invalidQuery, "a GET query needs ?search={\"filter\": [...]}")
        }
        return try AutotaskSearch(text, of: resource)
    }

    /// `{"after": id}` or `{"before": id}`, as the page links write it.
    static func cursor(_ paging: String, next: Bool) throws(RestableError) -> ListCursor {
        let member = next ? "after" : "before"
        guard let json = try? JSONParser.parse(Array(paging.utf8)), case .object(let members) = json, members.count == 1,
            members[0].0 == member
        else {
            throw RestableError(.invalidQuery, "'paging' must be {\"\(member)\": id}, as the page links write it")
        }
        let key: KeyInput
        switch members[0].1 {
        case .string(let text): key = .parts([text])
        case .integer, .number: key = .values([try RowRendering.value(members[0].1, column: member)])
        default: throw RestableError(.invalidQuery, "'paging' must be {\"\(member)\": id}, as the page links write it")
        }
        return next ? .after(key) : .before(key)
    }

    /// One page of a search: `{"items": [...], "pageDetails": {...}}`.
    func page(_ resource: Resource, _ search: AutotaskSearch, cursor: ListCursor?, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let size = search.maxRecords
        var rows = try await engine.list(ListRequest(resource: resource.name, filter: search.filter, cursor: cursor, limit: size + 1))
        let more = rows.count > size
        var next: Key?
        var previous: Key?
        switch cursor {
        case nil:
            if more { rows.removeLast() }
            next = more ? rows.last?.key(in: resource) : nil
        case .after?, .following?:
            if more { rows.removeLast() }
            next = more ? rows.last?.key(in: resource) : nil
            previous = rows.first?.key(in: resource)
        case .before?:
            if more { rows.removeFirst() }
            previous = more ? rows.first?.key(in: resource) : nil
            next = rows.last?.key(in: resource)
        }
        let entity = PercentEncoding.encodeName(names.exposedName(of: resource.name))
        func link(_ direction: String, _ member: String, _ key: Key?) throws(RestableError) -> JSON {
            guard let key else { return .null }
            let paging = JSON.object([(member, RowRendering.json(key.values[0]))]).text
            return .string(
                try request.absoluteURL(
                    "\(request.mountPath)/\(entity)/query/\(direction)?paging=\(PercentEncoding.encode(paging))&search=\(PercentEncoding.encode(search.text))"))
        }
        let fields = search.includeFields.map { Set($0 + resource.key) }
        let items: [JSON] = rows.map { row in
            .object(RowRendering.members(row, of: resource).filter { fields?.contains($0.0) ?? true })
        }
        let details: JSON = .object([
            ("count", .integer(Int64(items.count))), ("requestCount", .integer(Int64(size))),
            ("prevPageUrl", try link("prev", "before", previous)), ("nextPageUrl", try link("next", "after", next)),
        ])
        return JSONResponse.make(.ok, .object([("items", .array(items)), ("pageDetails", details)]))
    }

    /// `GET /{Entity}/{id}/{Child}`: the parent's children, a page of them; the page links are
    /// the child entity's query links for the same rows.
    func children(_ segments: [String], _ request: IncomingRequest) async throws(RestableError) -> Response {
        let (child, link) = try childAccess(segments[0], segments[2])
        let parent = try parentId(segments[1], of: link)
        _ = try await engine.get(resource: link.parent, key: .values([parent]))
        let search = try AutotaskSearch(
            .object([
                ("filter", .array([.object([("op", .string("eq")), ("field", .string(link.columns[0])), ("value", RowRendering.json(parent))])]))
            ]), of: child)
        return try await page(child, search, cursor: nil, request)
    }

    /// `GET /zoneInformation?user=...`: this server as the user's zone. Clients add `V1.0/` to
    /// `url`, so it is the mount's path without a last segment `v1.0` (any case).
    func zoneInformation(_ request: IncomingRequest) throws(RestableError) -> Response {
        try request.query.refuseOthers(than: ["user"], here: "zoneInformation")
        guard let user = try request.query.single("user"), !user.isEmpty else {
            throw RestableError(.invalidQuery, "zoneInformation needs ?user=<the API user's name>")
        }
        var base = request.mountPath
        if let slash = base.lastIndex(of: "/"), base[base.index(after: slash)...].lowercased() == "v1.0" { base = String(base[..<slash]) }
        let url = try request.absoluteURL(base + "/")
        return JSONResponse.make(
            .ok, .object([("zoneName", .string("Restable")), ("url", .string(url)), ("webUrl", .string(url)), ("ci", .integer(0))]))
    }
}

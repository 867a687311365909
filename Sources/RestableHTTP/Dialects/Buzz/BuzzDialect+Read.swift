import Hummingbird
import RestableCore

/// Buzz reads, a Restable extension (the seed shows deletes only), in the envelope of Buzz's
/// deletes and with the key forms they take:
///
/// - `GET /rest/{object}/{id}`: the object, or 404.
/// - `GET /rest/{object}` with `{"advertiser_id": 1}` or `{"advertiser_id": [1, 2]}` in the body:
///   those objects, in the order asked; all found 200 `SUCCESS`, some 200 `WARNING` with
///   `payload.missing`, none 404 `ERROR`.
/// - `GET /rest/{object}` without a body: a page in key order, `?limit=` (100 when absent, at
///   most 1,000) and `?offset=`, with `payload.next` when more follow.
extension BuzzDialect {
    static let defaultPage = 100
    static let largestPage = 1_000
    /// The most ids one read may name.
    static let largestKeyList = 1_000

    func read(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let keyField = resource.key[0]
        let body = try Self.body(request)
        guard request.segments.count == 2 || body != nil else { return try await page(resource, request) }
        try request.query.refuseOthers(than: [], here: body == nil ? "a Buzz GET by id" : "a Buzz GET of the ids in its body")
        try Self.refuseUnknownMembers(body, of: resource, besides: [])
        if case .object(let members)? = body, let other = members.first(where: { $0.0 != keyField }) {
            throw RestableError(.invalidBody, "a GET names the objects by \(keyField) only; '\(other.0)' is not read here", resource: resource.name)
        }
        let ids = try Self.ids(request, body, keyField: keyField, resource: resource)
        guard ids.count <= Self.largestKeyList else {
            throw RestableError(.planTooLarge, "a GET may name at most \(Self.largestKeyList) \(keyField) values, got \(ids.count)")
        }
        var requested: [Key] = []
        var seen = Set<Key>()
        for id in ids {
            let input: KeyInput = if case .text(let text) = id { .parts([text]) } else { .values([id]) }
            let key = try engine.planner.key(input, of: resource)
            if seen.insert(key).inserted { requested.append(key) }
        }
        let rows = try await engine.list(
            ListRequest(
                resource: resource.name,
                filter: .conjunction([FilterInput(column: keyField, operation: .oneOf, values: requested.map { .value($0.values[0]) })])))
        var byKey: [Key: Row] = [:]
        for row in rows { byKey[row.key(in: resource)] = row }
        let found = requested.compactMap { byKey[$0] }
        let missing = requested.filter { byKey[$0] == nil }
        var payload: [(String, JSON)] = [("items", .array(found.map { .object(RowRendering.members($0, of: resource)) }))]
        if !missing.isEmpty { payload.append(("missing", .array(missing.map(RowRendering.json)))) }
        let named = { (keys: [Key]) -> String in
            keys.count == 1 ? "\(keyField) \(keys[0])" : "\(keys.count) \(keyField) values"
        }
        if missing.isEmpty {
            return Self.reply(.ok, "SUCCESS", "\(named(found.map { $0.key(in: resource) })) found", payload: .object(payload))
        }
        if found.isEmpty {
            return Self.reply(.notFound, "ERROR", "\(named(missing)) \(missing.count == 1 ? "does" : "do") not exist", payload: .object(payload))
        }
        return Self.reply(
            .ok, "WARNING", "\(named(found.map { $0.key(in: resource) })) found; \(named(missing)) not (see payload.missing)",
            payload: .object(payload))
    }

    /// Every object, a page at a time, in key order.
    func page(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try request.query.refuseOthers(than: ["limit", "offset"], here: "a Buzz GET of a list")
        let limit = try request.query.count("limit") ?? Self.defaultPage
        guard (1...Self.largestPage).contains(limit) else {
            throw RestableError(.invalidQuery, "limit must be from 1 to \(Self.largestPage), got \(limit)")
        }
        let offset = try request.query.count("offset") ?? 0
        let rows = try await engine.list(ListRequest(resource: resource.name, limit: limit + 1, offset: offset))
        let items = rows.prefix(limit).map { JSON.object(RowRendering.members($0, of: resource)) }
        let next: JSON =
            rows.count > limit
            ? .string("\(request.mountPath)/\(PercentEncoding.encodeName(names.exposedName(of: resource.name)))?limit=\(limit)&offset=\(offset + limit)")
            : .null
        return Self.reply(
            .ok, "SUCCESS", "\(items.count) \(names.exposedName(of: resource.name)) object\(items.count == 1 ? "" : "s")",
            payload: .object([("items", .array(items)), ("offset", .integer(Int64(offset))), ("next", next)]))
    }
}

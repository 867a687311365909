import Foundation
import Hummingbird
import RestableCore

/// GET of a collection and of one row.
extension NativeDialect {
    /// The largest page of a list, and the page of a list that names no `limit`.
    public static let largestPage = 1_000

    /// GET of a collection: filters, `order`, `select`, `limit` (a page: at most
    /// ``largestPage``, which is also the page without it), `offset` or `after` (keyset
    /// paging), `show_deleted` and `Prefer: count=exact`. A `Link` header names the next page
    /// when more rows follow; `Content-Range` says which rows of how many the page holds.
    func list(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOptions(request, except: [.limit, .offset, .showDeleted, .order, .select, .after], here: "a GET of a collection")
        let preferences = try Preferences(request.headers, supported: [.count])
        let trash = try Self.showsDeleted(request, resource)
        let order = try request.query.single(Option.order.rawValue).map { text throws(RestableError) in try ReadSyntax.order(text) } ?? []
        var selected: [String]?
        if let text = try request.query.single(Option.select.rawValue) { selected = try ReadSyntax.select(text, of: resource) }
        let limit = try request.query.count(Option.limit.rawValue)
        if let limit, limit > Self.largestPage {
            throw RestableError(
                .invalidQuery, "query parameter 'limit' must be at most \(Self.largestPage) (a page); follow the Link header for the next page, got \(limit)")
        }
        let offset = try request.query.count(Option.offset.rawValue)
        var cursor: ListCursor?
        if let token = try request.query.single(Option.after.rawValue) {
            guard offset == nil else { throw RestableError(.invalidQuery, "send 'after' or 'offset', not both: a page starts at one place") }
            cursor = .following(try PageCursor.values(token, order: ReadSyntax.text(of: order)))
        }
        var list = ListRequest(resource: resource.name, filter: .conjunction(try Self.filters(request)), order: order, cursor: cursor, offset: offset)
        list.includesTrashed = trash
        let page = try await engine.page(list, size: limit ?? Self.largestPage, counting: preferences.countExact)
        var headers: HTTPFields = [:]
        if let range = Self.contentRange(page, first: cursor == nil ? offset ?? 0 : nil) { headers[.contentRange] = range }
        if case .following(let values)? = page.next {
            headers[.link] = "<\(nextPage(resource, request, after: PageCursor.token(values, order: ReadSyntax.text(of: order))))>; rel=\"next\""
        } else if page.hasMore, cursor == nil, limit != 0 {
            // No cursor can start the next page (a resource without a key, or a value a cursor
            // cannot carry): it is found by its offset instead.
            let next = (offset ?? 0) + page.rows.count
            headers[.link] = "<\(nextPage(resource, request, offset: next))>; rel=\"next\""
        }
        if let applied = preferences.appliedField { headers[.preferenceApplied] = applied }
        let rendered = page.rows.map { row in
            Self.selecting(selected, render(row, of: resource, mountPath: request.mountPath, trash: trash))
        }
        return JSONResponse.make(.ok, .array(rendered), headers: headers)
    }

    /// `Content-Range: first-last/total` (RFC 9110 14.4, in PostgREST's unit of rows): `*` for a
    /// total not counted, `*/total` for an empty page; nil for a keyset page not counted, whose
    /// first row's position is not known.
    static func contentRange(_ page: ListPage, first: Int?) -> String? {
        let total = page.total.map(String.init) ?? "*"
        guard let start = page.position ?? first else { return nil }
        guard !page.rows.isEmpty else { return "*/" + total }
        return "\(start)-\(start + page.rows.count - 1)/\(total)"
    }

    /// The same list one page on: the query as sent, without `offset` and `after`, and `after`
    /// the page's last row (or, where no cursor can say that, the `offset` of the next row).
    private func nextPage(_ resource: Resource, _ request: IncomingRequest, after token: String? = nil, offset: Int? = nil) -> String {
        var items = request.query.filter { $0.name != Option.after.rawValue && $0.name != Option.offset.rawValue }.map { item in
            PercentEncoding.encode(item.name) + (item.value.map { "=" + PercentEncoding.encode($0) } ?? "")
        }
        if let token { items.append(Option.after.rawValue + "=" + token) }
        if let offset { items.append(Option.offset.rawValue + "=\(offset)") }
        return request.mountPath + "/" + PercentEncoding.encodeName(names.exposedName(of: resource.name)) + "?" + items.joined(separator: "&")
    }

    /// A rendered row with only the `selected` columns (and its `@metadata`); all when nil.
    static func selecting(_ selected: [String]?, _ row: JSON) -> JSON {
        guard let selected, case .object(let members) = row else { return row }
        let kept = Set(selected)
        return .object(members.filter { $0.0 == "@metadata" || kept.contains($0.0) })
    }

    func get(_ resource: Resource, _ key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [.showDeleted], here: "a GET of one row")
        _ = try Preferences(request.headers, supported: [])
        let noneMatch = try EntityTagCondition.parse(request.headers, .ifNoneMatch)
        let trash = try Self.showsDeleted(request, resource)
        let row = try await engine.get(resource: resource.name, key: key, includesTrashed: trash)
        let tag = Self.entityTag(row, of: resource)
        // If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
        switch noneMatch {
        case .any?:
            return Response(status: .notModified, headers: [.eTag: tag])
        case .tags(let tags)? where tags.contains(where: { "\"\($0.opaque)\"" == tag }):
            return Response(status: .notModified, headers: [.eTag: tag])
        default:
            break
        }
        return JSONResponse.make(.ok, render(row, of: resource, mountPath: request.mountPath, trash: trash), headers: [.eTag: tag])
    }

    /// `?show_deleted=true`: rows in the trash are read too, each row saying whether it is
    /// deleted. Refused on a resource that keeps no trash, where it could only mislead.
    static func showsDeleted(_ request: IncomingRequest, _ resource: Resource) throws(RestableError) -> Bool {
        let shows = try request.query.flag(Option.showDeleted.rawValue)
        if shows, resource.softDelete == nil {
            throw RestableError(
                .invalidQuery, "\(resource.name) keeps no trash (it has no softDelete), so show_deleted has nothing to show", resource: resource.name)
        }
        return shows
    }

    /// Filters from the query string: `column=value` (equality), or `column=op.value` with `eq`,
    /// `neq`, `lt`, `lte`, `gt`, `gte`, `in.(a,b)`, `is.null`, `is.notnull`.
    static func filters(_ request: IncomingRequest) throws(RestableError) -> [FilterInput] {
        var filters: [FilterInput] = []
        for item in request.query where Option(rawValue: item.name) == nil {
            guard let value = item.value else {
                throw RestableError(.invalidFilter, "filter '\(item.name)' needs a value (\(item.name)=value)", column: item.name)
            }
            filters.append(try filter(column: item.name, value))
        }
        return filters
    }

    /// One filter (`column=value` or `column=op.value`); see ``FilterSyntax``.
    static func filter(column: String, _ text: String) throws(RestableError) -> FilterInput {
        try FilterSyntax.filter(column: column, text)
    }

    /// The items of an `in.(...)` list; see ``FilterSyntax``.
    static func listItems(_ text: String, _ column: String) throws(RestableError) -> [String] {
        try FilterSyntax.listItems(text, column)
    }
}

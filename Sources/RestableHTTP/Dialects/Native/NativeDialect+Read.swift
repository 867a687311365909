import Foundation
import Hummingbird
import RestableCore

/// GET of a collection and of one row.
extension NativeDialect {
    func list(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOptions(request, except: [.limit, .offset, .showDeleted], here: "a GET of a collection")
        _ = try Preferences(request.headers, supported: [])
        let trash = try Self.showsDeleted(request, resource)
        var list = ListRequest(
            resource: resource.name, filters: try Self.filters(request), limit: try request.query.count("limit"),
            offset: try request.query.count("offset"))
        list.includesTrashed = trash
        let rows = try await engine.list(list)
        return JSONResponse.make(.ok, .array(rows.map { render($0, of: resource, mountPath: request.mountPath, trash: trash) }))
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

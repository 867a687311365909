import Foundation
import Hummingbird
import RestableCore

/// Reading what the client asked for from headers and the query string, strictly: each route
/// names the query options and preferences it acts on, and anything else is refused.
extension NativeDialect {
    /// The query options that a route reads, besides filters.
    enum Option: String, CaseIterable {
        case limit, offset, checksum, ignoredeleted, dryrun, txsummary, all, purge, order, select, after
        case showDeleted = "show_deleted"
    }

    /// Refuses an option that the route does not read (every reserved name is an option, never a filter).
    static func refuseOptions(_ request: IncomingRequest, except accepted: Set<Option>, here place: String) throws(RestableError) {
        for item in request.query {
            if let option = Option(rawValue: item.name), !accepted.contains(option) {
                throw RestableError(.invalidQuery, "query parameter '\(item.name)' does not apply to \(place)")
            }
        }
    }

    /// Refuses every query parameter a route without filters does not read.
    static func refuseOtherParameters(_ request: IncomingRequest, except accepted: Set<Option>, here place: String) throws(RestableError) {
        try request.query.refuseOthers(than: Set(accepted.map(\.rawValue)), here: place)
    }

    /// The precondition of a write or delete: `If-Match`, else `?checksum=`, else the body's
    /// `@metadata.checksum`. `If-Match: *` and `checksum=override` bypass locking. Two sources
    /// at once are refused, as they may disagree.
    ///
    /// On a delete (`preview: true`), `If-Match` may instead name a dry run's preview
    /// (`"P:..."`): the preview then pins every row's checksum, and the rows' own precondition
    /// is `override`.
    static func precondition(_ request: IncomingRequest, bodyChecksum: Precondition? = nil, preview: Bool = false) throws(RestableError) -> Precondition {
        var found: [(String, Precondition)] = []
        if let condition = try EntityTagCondition.parse(request.headers, .ifMatch) {
            switch condition {
            case .any:
                found.append(("If-Match", .override))
            case .tags(let tags):
                guard tags.count == 1 else {
                    throw RestableError(.invalidHeader, "If-Match must hold one entity tag (the row's checksum in quotes) or *")
                }
                if !tags[0].weak, tags[0].opaque.hasPrefix("P:") {
                    guard preview else {
                        throw RestableError(.invalidHeader, "If-Match names a preview (\"\(tags[0].opaque)\"), which only a DELETE commits")
                    }
                    found.append(("If-Match", .override))
                } else {
                    // A weak tag never matches under If-Match's strong comparison (RFC 9110 13.1.1).
                    found.append(("If-Match", .checksum(tags[0].weak ? "W/\"\(tags[0].opaque)\"" : tags[0].opaque)))
                }
            }
        }
        if let checksum = try request.query.single("checksum") {
            guard !checksum.isEmpty else { throw RestableError(.invalidQuery, "checksum must not be empty") }
            found.append(("?checksum", Precondition(checksum: checksum)))
        }
        if let bodyChecksum { found.append(("@metadata.checksum", bodyChecksum)) }
        guard found.count <= 1 else {
            throw RestableError(
                .invalidQuery, "the precondition is given twice (\(found.map(\.0).joined(separator: " and "))); send one")
        }
        return found.first?.1 ?? .none
    }

    /// The preview a delete must match (`If-Match: "P:..."`), or nil.
    static func previewTag(_ request: IncomingRequest) throws(RestableError) -> String? {
        guard case .tags(let tags) = try EntityTagCondition.parse(request.headers, .ifMatch), tags.count == 1, !tags[0].weak,
            tags[0].opaque.hasPrefix("P:")
        else { return nil }
        guard Preview.isTag(tags[0].opaque) else {
            throw RestableError(.invalidHeader, "If-Match: \"\(tags[0].opaque)\" is not a preview's tag (P: and 32 lowercase hex digits)")
        }
        return tags[0].opaque
    }

    /// The body as a JSON value; rejects a content type that is not JSON, and malformed JSON.
    static func jsonBody(_ request: IncomingRequest) throws(RestableError) -> JSON {
        try MediaType.requireJSON(request.headers)
        guard !request.body.isEmpty else { throw RestableError(.invalidBody, "the request needs a JSON body") }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw RestableError(.invalidBody, "the body is not valid JSON: \(error)")
        }
    }

    /// Refuses a body on a route that reads none, so that nothing in it (a checksum) is ignored.
    static func refuseBody(_ request: IncomingRequest, _ hint: String) throws(RestableError) {
        guard request.body.isEmpty else { throw RestableError(.invalidBody, "this request reads no body: \(hint)") }
    }
}

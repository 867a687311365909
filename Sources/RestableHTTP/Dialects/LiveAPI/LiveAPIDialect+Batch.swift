import Hummingbird
import RestableCore

/// PUT of an array of objects whose `@metadata` says what to do: `action` (`INSERT`, `UPDATE`,
/// the default, or `DELETE`), `href` (any host; the path is matched against this mount),
/// `checksum`, and `key`, the column(s) to find the object by instead of its href.
extension LiveAPIDialect {
    func batch(_ request: IncomingRequest, resource: Resource?) async throws(RestableError) -> Response {
        try request.query.refuseOthers(than: ["ignoredeleted", "txsummary", "rulesummary", "dryrun"], here: "a PUT")
        var operations: [BatchOperation] = []
        for (index, object) in try Self.objects(request).enumerated() {
            do {
                operations.append(try operation(object, collection: resource, request))
            } catch {
                var error = error
                error.message = "object \(index): \(error.message)"
                throw error
            }
        }
        return try await run(operations, created: false, request)
    }

    private func operation(_ object: JSON, collection: Resource?, _ request: IncomingRequest) throws(RestableError) -> BatchOperation {
        guard case .object = object else { throw RestableError(.invalidBody, "each element must be an object") }
        try Self.refuseUnknownMetadata(object)
        let metadata = try object.object("@metadata", in: "the object") ?? .object([])
        let action = try metadata.string("action", in: "@metadata")?.uppercased() ?? "UPDATE"
        guard ["INSERT", "UPDATE", "DELETE"].contains(action) else {
            throw RestableError(.invalidBody, "@metadata.action must be INSERT, UPDATE or DELETE, not '\(action)'")
        }
        var (resource, key) = try target(try metadata.string("href", in: "@metadata"), request)
        resource = resource ?? collection
        guard let resource else {
            throw RestableError(.invalidBody, "say which resource: an @metadata.href, or PUT to the resource's URL")
        }
        var precondition = Precondition.none
        if let given = try object.checksumPrecondition(in: "the object") {
            precondition = given
        } else if action != "INSERT" {
            throw RestableError(
                .checksumRequired,
                "\(action == "UPDATE" ? "an UPDATE" : "a DELETE") needs the object's @metadata.checksum, or \"checksum\": \"override\" to bypass optimistic locking",
                resource: resource.name)
        }
        let values = try RowRendering.values(object)
        switch action {
        case "INSERT":
            return .insert(resource: resource.name, values: values)
        case "UPDATE", "DELETE":
            if key == nil, let naturalKey = metadata["key"] {
                let columns: [String]
                switch naturalKey {
                case .string(let column): columns = [column]
                case .array(let items) where items.allSatisfy({ $0.stringValue != nil }): columns = items.compactMap(\.stringValue)
                default: columns = []
                }
                guard !columns.isEmpty else { throw RestableError(.invalidBody, "@metadata.key names the column(s) to find the object by") }
                var match: [String: Value] = [:]
                for column in columns {
                    guard let value = values[column] else {
                        throw RestableError(.invalidKey, "@metadata.key names '\(column)', which the object does not hold", column: column)
                    }
                    match[column] = value
                }
                if action == "DELETE" { return .deleteMatching(resource: resource.name, match: match, precondition: precondition) }
                guard Set(columns) == Set(resource.key) else {
                    throw RestableError(.invalidKey, "an UPDATE by @metadata.key must name the primary key columns", resource: resource.name)
                }
                key = .values(resource.key.map { match[$0]! })
            }
            if key == nil, resource.key.allSatisfy({ values[$0] != nil }) {
                key = .values(resource.key.map { values[$0]! })
            }
            guard let key else {
                throw RestableError(.invalidKey, "\(action) needs the object's @metadata.href (or its key columns)", resource: resource.name)
            }
            if action == "DELETE" { return .delete(resource: resource.name, key: key, precondition: precondition) }
            let changes = values.filter { !resource.key.contains($0.key) }
            return .update(resource: resource.name, key: key, values: changes, precondition: precondition)
        default:
            throw RestableError(.invalidBody, "@metadata.action must be INSERT, UPDATE or DELETE, not '\(action)'")
        }
    }

    /// The resource and key an href names; the scheme and host are ignored.
    private func target(_ href: String?, _ request: IncomingRequest) throws(RestableError) -> (Resource?, KeyInput?) {
        guard let href else { return (nil, nil) }
        let segments = try PathSegments.under(request.mountPath, href: href)
        guard (1...2).contains(segments.count) else { throw RestableError(.invalidKey, "href '\(href)' names no object") }
        let resource = try self.resource(try PathSegments.decode(segments[0]))
        return (resource, segments.count == 2 ? try PathSegments.key(segments[1]) : nil)
    }

    /// The `@metadata` members LAC writes or reads: a client may send back an object as it read
    /// it (`href`, `checksum`, and a summary's `resource` and `verb`). Any other `@` member, or
    /// an unknown `@metadata` member (`actoin`), is refused: it would otherwise be ignored.
    static let metadataMembers: Set<String> = ["action", "href", "checksum", "key", "resource", "verb"]

    static func refuseUnknownMetadata(_ object: JSON) throws(RestableError) {
        guard case .object(let members) = object else { return }
        for (name, value) in members where name.hasPrefix("@") {
            guard name == "@metadata" else { throw RestableError(.invalidBody, "'\(name)' is not understood; the object's metadata is '@metadata'") }
            guard case .object(let metadata) = value else { continue }
            if let unknown = metadata.first(where: { !metadataMembers.contains($0.0) }) {
                throw RestableError(
                    .invalidBody, "@metadata.\(unknown.0) is not understood (accepted: \(metadataMembers.sorted().joined(separator: ", ")))")
            }
        }
    }
}

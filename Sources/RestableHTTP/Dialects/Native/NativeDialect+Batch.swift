import Hummingbird
import RestableCore

/// `POST` to the mount root: a mixed batch of inserts, updates and deletes in one transaction.
///
/// The body is a JSON array; each element's `@metadata` holds `action` (`INSERT`, `UPDATE`,
/// `DELETE`), the target as `href` (a row's or a collection's, as Restable returns them; any
/// host) or as `resource` plus `key`, and optionally `checksum`. Other members are column values.
extension NativeDialect {
    func batch(_ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [.ignoredeleted, .dryrun, .txsummary], here: "a batch")
        let (options, preferences) = try Self.deleteOptions(request, supported: [.return, .handling, .tx, .respondAsync])
        guard case .array(let elements) = try Self.jsonBody(request) else {
            throw RestableError(.invalidBody, "a batch is a JSON array of operations")
        }
        var operations: [BatchOperation] = []
        for (index, element) in elements.enumerated() {
            do {
                operations.append(try operation(element, request))
            } catch {
                var error = error
                error.message = "operation \(index): \(error.message)"
                throw error
            }
        }
        let batch = BatchRequest(operations: operations, options: options)
        if preferences.respondAsync { try engine.check(batch) }
        let answering = request.withoutPayload
        return try await runOrStart(request, preferences) { [self] engine throws(RestableError) in
            let outcome = try await engine.batch(batch)
            return Self.applying(preferences, to: try render(outcome, answering, preferences))
        }
    }

    private func operation(_ element: JSON, _ request: IncomingRequest) throws(RestableError) -> BatchOperation {
        guard case .object = element, let metadata = try element.object("@metadata", in: "the operation") else {
            throw RestableError(.invalidBody, "each operation is an object with \"@metadata\": {\"action\": ...}")
        }
        guard let action = try metadata.string("action", in: "@metadata")?.uppercased() else {
            throw RestableError(.invalidBody, "@metadata.action must be INSERT, UPDATE or DELETE")
        }
        let (resource, key) = try target(metadata, request)
        let values = try RowRendering.values(element)
        let precondition = try element.checksumPrecondition(in: "the operation") ?? .none
        switch action {
        case "INSERT":
            return .insert(resource: resource.name, values: values)
        case "UPDATE", "DELETE":
            guard let key else {
                throw RestableError(.invalidKey, "\(action) needs the row: @metadata.href or @metadata.key", resource: resource.name)
            }
            return action == "UPDATE"
                ? .update(resource: resource.name, key: key, values: values, precondition: precondition)
                : .delete(resource: resource.name, key: key, precondition: precondition)
        default:
            throw RestableError(.invalidBody, "@metadata.action must be INSERT, UPDATE or DELETE, not '\(action)'")
        }
    }

    /// The resource and key an operation addresses, from `href` or from `resource` and `key`.
    private func target(_ metadata: JSON, _ request: IncomingRequest) throws(RestableError) -> (Resource, KeyInput?) {
        if let href = try metadata.string("href", in: "@metadata") {
            let segments = try PathSegments.under(request.mountPath, href: href)
            guard (1...2).contains(segments.count) else { throw RestableError(.invalidKey, "href '\(href)' names no row") }
            let resource = try names.resource(try PathSegments.decode(segments[0]), in: engine.schema)
            return (resource, segments.count == 2 ? try PathSegments.key(segments[1]) : nil)
        }
        guard let name = try metadata.string("resource", in: "@metadata") else {
            throw RestableError(.invalidBody, "@metadata needs href, or resource (and key)")
        }
        let resource = try names.resource(name, in: engine.schema)
        guard let key = metadata["key"] else { return (resource, nil) }
        if case .array(let parts) = key {
            var values: [Value] = []
            for part in parts { values.append(try RowRendering.value(part, column: "key")) }
            return (resource, .values(values))
        }
        return (resource, .values([try RowRendering.value(key, column: "key")]))
    }
}

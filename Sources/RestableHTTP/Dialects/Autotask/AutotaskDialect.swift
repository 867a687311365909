public import Hummingbird
public import RestableCore

/// The Autotask REST API, verbatim: entities by their Autotask names (`ContactGroups`), ids in
/// the path, `{"itemId": n}` on a successful create or delete, `{"errors": ["..."]}` on every
/// failure, with the vendor's statuses (a rule violation is a 500).
///
/// Child access URLs (`/ContactGroups/4/Contacts/7`) address a child entity through its parent:
/// the child is found by its id and its foreign key to that parent.
public struct AutotaskDialect: Dialect {
    public var routeWords: Set<String> { ["query", "count", "next", "prev"] }

    public var engine: Engine
    let names: ResourceNames

    public init(engine: Engine, names: ResourceNames) {
        self.engine = engine
        self.names = names
    }

    public func failure(_ error: RestableError, for request: IncomingRequest) -> Response {
        Self.error(error)
    }

    public func handle(_ request: IncomingRequest) async throws(RestableError) -> Response {
        _ = try Preferences(request.headers, supported: [])
        if request.method == .delete || request.method == .get, !request.body.isEmpty {
            throw RestableError(.invalidBody, "a \(request.method) reads no body")
        }
        let segments = try request.segments.map { segment throws(RestableError) in try PathSegments.decode(segment) }
        let words = segments.map { $0.lowercased() }
        if segments.count == 1, words[0] == "zoneinformation" {
            guard request.method == .get else { throw RestableError(.methodNotAllowed, "zoneInformation answers GET only") }
            return try zoneInformation(request)
        }
        if segments.count >= 2, words[1] == "query" {
            return try await query(try entity(segments[0]), Array(words.dropFirst(2)), request)
        }
        try request.query.refuseOthers(than: [], here: "this Autotask URL")
        switch (segments.count, request.method) {
        case (1, .post):
            return try await create(try entity(segments[0]), values: try Self.body(request))
        case (2, .get):
            let resource = try entity(segments[0])
            let row = try await engine.get(resource: resource.name, key: .parts([segments[1]]))
            return JSONResponse.make(.ok, .object([("item", .object(RowRendering.members(row, of: resource)))]))
        case (2, .delete):
            let resource = try entity(segments[0])
            let key = try engine.planner.key(.parts([segments[1]]), of: resource)
            let outcome = try await engine.delete(DeleteRequest(resource: resource.name, key: .values(key.values), summaryLimit: 0))
            return Self.item(key).naming(outcome)
        case (3, .post):
            let (child, link) = try childAccess(segments[0], segments[2])
            var values = try Self.body(request)
            values[link.columns[0]] = try parentId(segments[1], of: link)
            return try await create(child, values: values)
        case (3, .get):
            return try await children(segments, request)
        case (4, .get):
            let (child, link) = try childAccess(segments[0], segments[2])
            let parent = try parentId(segments[1], of: link)
            let id = try engine.planner.key(.parts([segments[3]]), of: child)
            let rows = try await engine.list(
                ListRequest(
                    resource: child.name,
                    filter: .conjunction([
                        FilterInput(column: child.key[0], operation: .compare(.eq), values: [.value(id.values[0])]),
                        FilterInput(column: link.columns[0], operation: .compare(.eq), values: [.value(parent)]),
                    ]), limit: 1))
            guard let row = rows.first else {
                throw RestableError(
                    .notFound, "\(segments[2]) \(id) does not exist under \(segments[0]) \(segments[1])", resource: child.name, key: id)
            }
            return JSONResponse.make(.ok, .object([("item", .object(RowRendering.members(row, of: child)))]))
        case (4, .delete):
            let (child, link) = try childAccess(segments[0], segments[2])
            let parent = try parentId(segments[1], of: link)
            let id = try engine.planner.key(.parts([segments[3]]), of: child)
            let outcome = try await engine.deleteMany(
                BulkDeleteRequest(
                    resource: child.name,
                    selection: .filter(
                        .conjunction([
                            FilterInput(column: child.key[0], operation: .compare(.eq), values: [.value(id.values[0])]),
                            FilterInput(column: link.columns[0], operation: .compare(.eq), values: [.value(parent)]),
                        ]), .none)))
            if let failure = outcome.failures.first { throw failure.error }
            guard outcome.succeeded > 0 else {
                throw RestableError(
                    .notFound, "\(segments[2]) \(id) does not exist under \(segments[0]) \(segments[1])", resource: child.name, key: id)
            }
            return Self.item(id).naming(outcome)
        case (1...4, _):
            throw RestableError(.methodNotAllowed, "\(request.method) is not supported on this URL")
        default:
            throw RestableError(.notFound, "no entity at this URL")
        }
    }

    public func admitsWithoutCredentials(_ request: IncomingRequest) -> Bool {
        request.segments.count == 1 && request.segments[0].lowercased() == "zoneinformation"
    }

    func entity(_ name: String) throws(RestableError) -> Resource {
        let resource = try names.resource(ignoringCase: name, in: engine.schema)
        guard resource.key.count == 1 else {
            throw RestableError(.invalidKey, "\(name) has a composite key, which Autotask URLs cannot address", resource: resource.name)
        }
        return resource
    }

    /// The child entity and its relationship to the parent entity of a child access URL.
    func childAccess(_ parentName: String, _ childName: String) throws(RestableError) -> (Resource, Relationship) {
        let parent = try entity(parentName)
        let child = try entity(childName)
        guard let link = engine.schema.references(of: child.name).first(where: { $0.parent == parent.name && $0.columns.count == 1 }) else {
            throw RestableError(.notFound, "\(childName) is not a child of \(parentName)")
        }
        return (child, link)
    }

    func parentId(_ text: String, of link: Relationship) throws(RestableError) -> Value {
        let parent = try engine.schema.require(link.parent)
        return try engine.planner.key(.parts([text]), of: parent).values[0]
    }

    private func create(_ resource: Resource, values: [String: Value]) async throws(RestableError) -> Response {
        let row = try await engine.create(CreateRequest(resource: resource.name, values: values))
        return Self.item(row.key(in: resource))
    }

    static func item(_ key: Key) -> Response {
        JSONResponse.make(.ok, .object([("itemId", key.values.first.map(RowRendering.json) ?? .null)]))
    }

    static func body(_ request: IncomingRequest) throws(RestableError) -> [String: Value] {
        try MediaType.requireJSON(request.headers)
        guard !request.body.isEmpty else { throw RestableError(.invalidBody, "the request needs a JSON body") }
        do {
            return try RowRendering.values(try JSONParser.parse(request.body))
        } catch let error as RestableError {
            throw error
        } catch {
            throw RestableError(.invalidBody, "the body is not valid JSON: \(error)")
        }
    }

    /// The vendor's statuses: 404 for a missing entity, 400 for malformed input, 500 for a
    /// violated rule (a restrict, a duplicate, a stale checksum).
    static func status(of code: RestableError.Code) -> HTTPResponse.Status {
        switch code {
        case .notFound, .unknownResource: .notFound
        case .invalidKey, .invalidBody, .invalidValue, .invalidFilter, .invalidQuery, .invalidHeader, .unknownColumn, .missingValue,
            .keyImmutable, .planTooLarge, .unboundedDelete, .tooManyAffected, .readOnlyColumn:
            .badRequest
        case .methodNotAllowed, .readOnly: .methodNotAllowed
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .storeBusy, .storeUnavailable, .cancelled, .timedOut: .serviceUnavailable
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .overBudget, .rateLimited: .tooManyRequests
        default: .internalServerError
        }
    }

    static func error(_ error: RestableError) -> Response {
        JSONResponse.make(status(of: error.code), .object([("errors", .array([.string(error.message)]))]))
    }
}

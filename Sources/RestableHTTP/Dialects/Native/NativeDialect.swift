import HTTPTypes
public import Hummingbird
public import RestableCore

/// The standards-following dialect: JSON rows with `@metadata`, ETag / If-Match (412, 428),
/// `Prefer: return=minimal`, and RFC 9457 problem details for every error.
///
/// Routes under its mount (`/api` in the demo):
/// `GET /`, `GET|POST /{resource}`, `GET|PATCH|DELETE /{resource}/{key}`,
/// `POST /{resource}/{key}/undelete` (a resource with soft delete), and the journal's
/// `GET /_transactions`, `GET /_transactions/{id}`, `POST /_transactions/{id}/undo`.
public struct NativeDialect: Dialect {
    public var engine: Engine
    let names: ResourceNames
    /// Where `Prefer: respond-async` requests run (nil: this server keeps no jobs).
    let jobs: JobRunner?

    public init(engine: Engine, names: ResourceNames = ResourceNames(), jobs: JobRunner? = nil) {
        self.engine = engine
        self.names = names
        self.jobs = jobs
    }

    public func failure(_ error: RestableError, for request: IncomingRequest) -> Response {
        let allow =
            error.code == .methodNotAllowed
            ? Self.servedMethods(request.segments)
            : error.code == .readOnly && request.segments.count > 0 ? "GET, HEAD" : nil
        return ProblemResponse.make(error, instance: Self.instance(request), allow: allow)
    }

    public func handle(_ request: IncomingRequest) async throws(RestableError) -> Response {
        if request.segments.first == Self.jobsSegment {
            try Self.refuseUnevaluatedConditions(request)
            return try await jobRoute(request)
        }
        if request.segments.first == Self.transactionsSegment {
            try Self.refuseUnevaluatedConditions(request)
            return try await journal(request)
        }
        switch request.segments.count {
        case 0:
            try Self.refuseUnevaluatedConditions(request)
            switch request.method {
            case .get, .head:
                try Self.refuseOtherParameters(request, except: [], here: "the index")
                return index(request)
            case .post: return try await batch(request)
            default: throw Self.notAllowed(request)
            }
        case 1:
            let resource = try names.resource(try PathSegments.decode(request.segments[0]), in: engine.schema)
            try Self.refuseUnevaluatedConditions(request)
            switch request.method {
            case .get, .head: return try await list(resource, request)
            case .post: return try await create(resource, request)
            case .delete: return try await deleteCollection(resource, request)
            default: throw Self.notAllowed(request)
            }
        case 2:
            let resource = try names.resource(try PathSegments.decode(request.segments[0]), in: engine.schema)
            let key = try PathSegments.key(request.segments[1])
            try Self.refuseUnevaluatedConditions(request)
            switch request.method {
            case .get, .head: return try await get(resource, key, request)
            case .patch: return try await update(resource, key, request)
            case .delete: return try await delete(resource, key, request)
            default: throw Self.notAllowed(request)
            }
        case 3 where request.segments[2] == Self.undeleteSegment:
            let resource = try names.resource(try PathSegments.decode(request.segments[0]), in: engine.schema)
            let key = try PathSegments.key(request.segments[1])
            try Self.refuseUnevaluatedConditions(request)
            guard request.method == .post else { throw Self.notAllowed(request) }
            return try await undelete(resource, key, request)
        default:
            throw RestableError(.notFound, "nothing is served at this path")
        }
    }

    /// The last segment of `POST /{resource}/{key}/undelete`.
    static let undeleteSegment = "undelete"

    public var routeWords: Set<String> { [Self.transactionsSegment, Self.jobsSegment, Self.undeleteSegment, "undo"] }

    /// `POST /{resource}/{key}/undelete`: 200 with the undelete's transaction and summary (the
    /// rows taken out of the trash), 409 for a live row (`notInTrash`) or one whose parent is
    /// in the trash (`invalidReference`).
    private func undelete(_ resource: Resource, _ key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [.dryrun, .txsummary], here: "an undelete")
        try Self.refuseBody(request, "an undelete reads no body: POST to the row's undelete URL")
        let preferences = try Preferences(request.headers, supported: [.return, .tx])
        var undelete = UndeleteRequest(resource: resource.name, key: key, dryRun: try request.query.flag("dryrun") || preferences.rollback)
        if try Self.summaryDropped(request, preferences) { undelete.summaryLimit = 0 }
        let outcome = try await engine.undelete(undelete)
        var members: [(String, JSON)] = []
        if outcome.dryRun { members.append(("dryRun", .bool(true))) }
        if let transaction = outcome.transaction { members.append(("transaction", .string(transaction))) }
        members += try summaryMembers(outcome, request, preferences, alwaysCount: true)
        return Self.applying(preferences, to: JSONResponse.make(.ok, .object(members))).naming(outcome)
    }

    /// `GET /`: the resources served, with their hrefs.
    private func index(_ request: IncomingRequest) -> Response {
        let resources = names.served(in: engine.schema).map { name, resource -> JSON in
            .object([
                ("name", .string(name)),
                ("href", .string(request.mountPath + "/" + PercentEncoding.encodeName(name))),
                ("key", .array(resource.key.map(JSON.string))),
                ("optimisticLocking", .string(resource.optimisticLocking.rawValue)),
            ] + (resource.readOnly.map { [("readOnly", JSON.string($0.rawValue))] } ?? []) + (resource.softDelete == nil ? [] : [("softDelete", JSON.bool(true))]))
        }
        var members: [(String, JSON)] = [("resources", .array(resources))]
        if engine.journal != nil { members.append(("transactions", .object([("href", .string(request.mountPath + "/" + Self.transactionsSegment))]))) }
        return JSONResponse.make(.ok, .object(members))
    }

    /// Refuses (400 `invalidHeader`) a precondition the route would not evaluate, so that none is
    /// silently ignored: `If-Match` is read by a PATCH and a DELETE of rows, `If-None-Match` by a
    /// GET or HEAD of one row, and `If-Unmodified-Since` nowhere (rows have no modification time).
    /// A method the path does not serve is left to its 405, and an unknown resource to its 404.
    static func refuseUnevaluatedConditions(_ request: IncomingRequest) throws(RestableError) {
        let rows = request.segments.first != transactionsSegment && request.segments.first != jobsSegment
        guard let served = servedMethods(request.segments), served.split(separator: ", ").contains(Substring(request.method.rawValue)) else { return }
        let evaluatesIfMatch = rows && ((request.segments.count == 2 && request.method == .patch) || (1...2).contains(request.segments.count) && request.method == .delete)
        let evaluatesIfNoneMatch = rows && request.segments.count == 2 && (request.method == .get || request.method == .head)
        let refused: [(HTTPField.Name, Bool, String)] = [
            (.ifMatch, evaluatesIfMatch, "only a PATCH or DELETE of rows reads it; a batch's checksums go in each operation's @metadata"),
            (.ifNoneMatch, evaluatesIfNoneMatch, "only a GET or HEAD of one row reads it"),
            (.ifUnmodifiedSince, false, "rows have no modification time: send their checksum in If-Match"),
        ]
        for (name, evaluated, reason) in refused where !evaluated && request.headers[name] != nil {
            throw RestableError(.invalidHeader, "\(name) is not evaluated here, so it is refused rather than ignored: \(reason)")
        }
    }

    /// The methods served at a path (its segments after the mount): rows, the journal's or a job's.
    static func servedMethods(_ segments: [String]) -> String? {
        switch segments.first {
        case transactionsSegment: journalMethods(segments)
        case jobsSegment: segments.count == 2 ? jobMethods : nil
        default: allowedMethods(segments: segments.count)
        }
    }

    /// The methods served at a path of `segments` segments after the mount.
    static func allowedMethods(segments: Int) -> String? {
        switch segments {
        case 0: "GET, HEAD, POST"
        case 1: "GET, HEAD, POST, DELETE"
        case 2: "GET, HEAD, PATCH, DELETE"
        case 3: "POST"
        default: nil
        }
    }

    static func notAllowed(_ request: IncomingRequest) -> RestableError {
        let allowed = allowedMethods(segments: request.segments.count) ?? "none"
        return RestableError(.methodNotAllowed, "\(request.method) is not allowed here; allowed: \(allowed)")
    }
}

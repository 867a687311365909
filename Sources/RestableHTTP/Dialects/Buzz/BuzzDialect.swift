public import Hummingbird
public import RestableCore

/// The Buzz ad platform API, verbatim: the key in the JSON body (`{"advertiser_id": 1}` or a
/// list, `{"advertiser_id": [1, 2]}`) or in the path (`/user/1`), other fields ignored; no
/// deleting a parent that still has dependents; one body for every outcome, with a status word
/// (`SUCCESS`, `WARNING`, `ERROR`), a message and a `payload`: all deleted 200, some 200
/// `WARNING`, none 406 (404 when every key was missing). Strict mode (`?strict=true` or
/// `"strict": true`) deletes nothing unless everything can go.
public struct BuzzDialect: Dialect {
    public var engine: Engine
    let names: ResourceNames
    /// Set when the mount's callers sign in (`/login`, `/logout`).
    let signIn: BuzzSignIn?

    public init(engine: Engine, names: ResourceNames, signIn: BuzzSignIn? = nil) {
        self.engine = engine
        self.names = names
        self.signIn = signIn
    }

    public func failure(_ error: RestableError, for request: IncomingRequest) -> Response {
        Self.reply(Self.status(of: error.code), "ERROR", error.message, payload: .object([("error", .string(error.code.description))]))
    }

    public func handle(_ request: IncomingRequest) async throws(RestableError) -> Response {
        if let response = try await signInRoute(request) { return response }
        guard (1...2).contains(request.segments.count), let name = PercentEncoding.decode(request.segments[0]) else {
            throw RestableError(.notFound, "no object type at this URL")
        }
        let resource = try names.resource(name, in: engine.schema)
        _ = try Preferences(request.headers, supported: [])
        guard resource.key.count == 1 else {
            throw RestableError(.invalidKey, "\(name) has a composite key, which Buzz cannot address", resource: resource.name)
        }
        switch request.method {
        case .get: return try await read(resource, request)
        case .delete: break
        default: throw RestableError(.methodNotAllowed, "\(request.method) is not supported here; use GET or DELETE")
        }
        try request.query.refuseOthers(than: ["strict", "dryrun"], here: "a Buzz DELETE")
        let keyField = resource.key[0]
        let body = try Self.body(request)
        // The seed: "other fields are ignored", so a client may send the whole object; a member
        // that is no field of the object is a typo, and refused, so that `stirct` never widens a delete.
        try Self.refuseUnknownMembers(body, of: resource, besides: ["strict"])
        let ids = try Self.ids(request, body, keyField: keyField, resource: resource)
        let queryStrict = try request.query.boolean("strict")
        let bodyStrict = try body?.boolean("strict", in: "the body")
        if let queryStrict, let bodyStrict, queryStrict != bodyStrict {
            throw RestableError(.invalidQuery, "strict is \(queryStrict) in the query and \(bodyStrict) in the body; send one")
        }
        let strict = queryStrict ?? bodyStrict ?? false
        let dryRun = try request.query.flag("dryrun")
        var requested: [Key] = []
        for id in ids {
            let input: KeyInput = if case .text(let text) = id { .parts([text]) } else { .values([id]) }
            requested.append(try engine.planner.key(input, of: resource))
        }
        let targets = requested.map { KeyedTarget(key: .values($0.values)) }
        let outcome = try await engine.deleteMany(
            BulkDeleteRequest(
                resource: resource.name, selection: .keys(KeyList(targets)), options: DeleteOptions(handling: strict ? .strict : .lenient, dryRun: dryRun)))
        return render(outcome, keyField: keyField, requested: requested, strict: strict).naming(outcome)
    }

    /// The ids of a request: the one in the path, or the key field of the body (one or a list).
    static func ids(_ request: IncomingRequest, _ body: JSON?, keyField: String, resource: Resource) throws(RestableError) -> [Value] {
        if request.segments.count == 2 {
            guard let id = PercentEncoding.decode(request.segments[1]) else { throw RestableError(.invalidKey, "malformed id in the path") }
            guard body?[keyField] == nil else {
                throw RestableError(.invalidBody, "the id is in the path and \(keyField) in the body; send one", resource: resource.name)
            }
            return [.text(id)]
        }
        var ids: [Value]
        switch body?[keyField] {
        case .array(let items)?:
            ids = []
            for item in items { ids.append(try RowRendering.value(item, column: keyField)) }
        case let item?:
            ids = [try RowRendering.value(item, column: keyField)]
        case nil:
            throw RestableError(.invalidKey, "\(keyField) must be provided", resource: resource.name, column: keyField)
        }
        guard !ids.isEmpty else { throw RestableError(.invalidKey, "\(keyField) must be provided", resource: resource.name, column: keyField) }
        return ids
    }

    /// Refuses a body member that is neither a field of the object nor one of `others`.
    static func refuseUnknownMembers(_ body: JSON?, of resource: Resource, besides others: Set<String>) throws(RestableError) {
        guard case .object(let members)? = body else { return }
        for (name, _) in members where resource.column(named: name) == nil && !others.contains(name) {
            throw RestableError(
                .invalidBody,
                others.isEmpty
                    ? "'\(name)' is not a field of \(resource.name)"
                    : "'\(name)' is neither a field of \(resource.name) nor " + others.sorted().map { "'\($0)'" }.joined(separator: " or "),
                resource: resource.name, column: name)
        }
    }

    private func render(_ outcome: ChangeOutcome, keyField: String, requested: [Key], strict: Bool) -> Response {
        var unique: [Key] = []
        var seen = Set<Key>()
        for key in requested where seen.insert(key).inserted { unique.append(key) }
        let failed = outcome.failedKeys
        let deletedKeys = outcome.kind == .none ? [] : unique.filter { !failed.contains($0) }
        let deleted = Array(deletedKeys.prefix(engine.summaryLimit))
        let failures: [JSON] = outcome.failures.map { failure in
            .object([
                (keyField, failure.key.map(RowRendering.json) ?? .null),
                ("error", .string(failure.error.code.description)),
                ("reason", .string(Self.reason(failure.error, keyField: keyField))),
            ])
        }
        var payloadMembers: [(String, JSON)] = [
            ("deleted", .array(deleted.map(RowRendering.json))),
            ("failed", .array(failures)),
            ("strict", .bool(strict)),
        ]
        if deleted.count < deletedKeys.count { payloadMembers.append(("deletedCount", .integer(Int64(deletedKeys.count)))) }
        if outcome.failuresTruncated { payloadMembers.append(("failedCount", .integer(Int64(outcome.failureCount)))) }
        if outcome.dryRun { payloadMembers.append(("dryRun", .bool(true))) }
        let payload: JSON = .object(payloadMembers)
        let named = { (keys: [Key]) -> String in
            if keys.count > 10 { return "\(keys.count) \(keyField) values are" }
            let ids = keys.map(\.description)
            let list = ids.count <= 1 ? ids.joined() : ids.dropLast().joined(separator: ", ") + " and " + ids.last!
            return "\(keyField) \(list) \(keys.count == 1 ? "is" : "are")"
        }
        switch outcome.kind {
        case .all:
            return Self.reply(.ok, "SUCCESS", deleted.isEmpty ? "nothing to delete" : "\(named(deletedKeys)) deleted", payload: payload)
        case .partial:
            return Self.reply(
                .ok, "WARNING", "\(named(deletedKeys)) deleted; \(outcome.failureCount) could not be deleted (see payload.failed)", payload: payload)
        case .none:
            let everyKeyMissing = outcome.everyFailureIsMissing && outcome.failureCount == unique.count
            let status: HTTPResponse.Status = everyKeyMissing ? .notFound : .init(code: 406, reasonPhrase: "Not Acceptable")
            let message =
                strict && outcome.failures.count < unique.count
                ? "strict mode: nothing was deleted because \(outcome.failureCount) of \(unique.count) could not be deleted (see payload.failed)"
                : "nothing was deleted (see payload.failed)"
            return Self.reply(status, "ERROR", message, payload: payload)
        }
    }

    /// A failure in Buzz's words; a restrict names the dependent objects.
    static func reason(_ error: RestableError, keyField: String) -> String {
        guard error.code == .restricted, !error.blockers.isEmpty else { return error.message }
        let parts = error.blockers.map { blocker in
            let ids = blocker.keys.map(\.description).joined(separator: ", ") + (blocker.count > blocker.keys.count ? ", ..." : "")
            // No ids when the caller may not read the dependents.
            return "\(blocker.count) \(blocker.resource)\(blocker.count == 1 ? "" : "s")" + (blocker.keys.isEmpty ? "" : " (\(ids))")
        }
        return "\(keyField) \(error.key?.description ?? "") cannot be deleted: \(parts.joined(separator: " and ")) \(error.blockers.count == 1 && error.blockers[0].count == 1 ? "belongs" : "belong") to it"
    }

    static func body(_ request: IncomingRequest) throws(RestableError) -> JSON? {
        guard !request.body.isEmpty else { return nil }
        try MediaType.requireJSON(request.headers)
        do {
            let body = try JSONParser.parse(request.body)
            guard case .object = body else { throw RestableError(.invalidBody, "the body must be a JSON object") }
            return body
        } catch let error as RestableError {
            throw error
        } catch {
            throw RestableError(.invalidBody, "the body is not valid JSON: \(error)")
        }
    }

    static func status(of code: RestableError.Code) -> HTTPResponse.Status {
        switch code {
        case .notFound, .unknownResource: .notFound
        case .methodNotAllowed, .readOnly: .methodNotAllowed
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .storeBusy, .storeUnavailable, .cancelled, .timedOut: .serviceUnavailable
        case .internalError, .schemaMismatch: .internalServerError
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .overBudget, .rateLimited: .tooManyRequests
        case .restricted, .checksumRequired, .checksumMismatch, .batchFailed: .init(code: 406, reasonPhrase: "Not Acceptable")
        default: .badRequest
        }
    }

    static func reply(_ status: HTTPResponse.Status, _ word: String, _ message: String, payload: JSON) -> Response {
        JSONResponse.make(status, .object([("status", .string(word)), ("message", .string(message)), ("payload", payload)]))
    }
}

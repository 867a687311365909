import Hummingbird
import RestableCore

/// DELETE of one row, and of many rows of a collection.
extension NativeDialect {
    /// One row: 200 with the transaction summary, or 204 on `Prefer: return=minimal`.
    func delete(_ resource: Resource, _ key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [.checksum, .ignoredeleted, .dryrun, .txsummary, .purge], here: "a DELETE of one row")
        try Self.refuseBody(request, "send the row's checksum in If-Match or ?checksum")
        let (options, preferences) = try deleteOptions(request)
        let precondition = try Self.precondition(request, preview: true)
        let delete = DeleteRequest(resource: resource.name, key: key, precondition: precondition, options: options)
        if preferences.respondAsync { try engine.check(delete) }
        let answering = request.withoutPayload
        return try await runOrStart(request, preferences) { [self] engine throws(RestableError) in
            let outcome = try await engine.delete(delete)
            if preferences.returnMinimal, !outcome.dryRun {
                return Self.applying(preferences, to: Response(status: .noContent)).naming(outcome)
            }
            var members: [(String, JSON)] = []
            if outcome.dryRun { members.append(("dryRun", .bool(true))) }
            if let preview = outcome.preview { members.append(("preview", .string(preview))) }
            if let transaction = outcome.transaction { members.append(("transaction", .string(transaction))) }
            members += try summaryMembers(outcome, answering, preferences, alwaysCount: false)
            return Self.tagging(outcome, Self.applying(preferences, to: JSONResponse.make(.ok, .object(members))).naming(outcome))
        }
    }

    /// Many rows: a JSON array of keys in the body, `?key=in.(...)`, a filter, or `?all=true`.
    func deleteCollection(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOptions(request, except: [.checksum, .ignoredeleted, .dryrun, .txsummary, .all, .purge], here: "a DELETE of a collection")
        // A read-only resource is refused before its body or query is read (the engine refuses it too).
        try engine.planner.requireWritable(resource, "deleted")
        let filters = try Self.filters(request)
        let precondition = try Self.precondition(request, preview: true)
        let all = try request.query.flag("all")
        let selection: DeleteSelection
        if !request.body.isEmpty {
            guard filters.isEmpty, !request.query.contains("all") else {
                throw RestableError(.invalidQuery, "send the keys to delete in the body or a filter in the query, not both")
            }
            try MediaType.requireJSON(request.headers)
            selection = .keys(try JSONKeySource(body: request.body, resource: resource, precondition: precondition))
        } else if !filters.isEmpty {
            guard !request.query.contains("all") else {
                throw RestableError(.invalidQuery, "send a filter or all=true, not both")
            }
            if filters.count == 1, resource.key == [filters[0].column], filters[0].operation == .oneOf {
                selection = .keys(KeyList(filters[0].operands.map { KeyedTarget(key: Self.keyInput($0), precondition: precondition) }))
            } else {
                selection = .filter(.conjunction(filters), precondition)
            }
        } else if all {
            selection = .everyRow(precondition)
        } else {
            throw RestableError(
                .unboundedDelete,
                "DELETE on the \(resource.name) collection needs keys (a JSON array body, or ?\(resource.key[0])=in.(...)), a filter, or ?all=true to delete every row",
                resource: resource.name)
        }
        let (options, preferences) = try deleteOptions(request)
        let delete = BulkDeleteRequest(resource: resource.name, selection: selection, options: options)
        if preferences.respondAsync { try engine.check(delete) }
        let answering = request.withoutPayload
        return try await runOrStart(request, preferences) { [self] engine throws(RestableError) in
            let outcome = try await engine.deleteMany(delete)
            return Self.tagging(outcome, Self.applying(preferences, to: try render(outcome, answering, preferences)))
        }
    }

    /// A delete's options: ``deleteOptions(_:supported:)``, and its preview: one to make on a
    /// dry run, or the one `If-Match` names.
    func deleteOptions(_ request: IncomingRequest) throws(RestableError) -> (DeleteOptions, Preferences) {
        var (options, preferences) = try Self.deleteOptions(request)
        if let tag = try Self.previewTag(request) {
            options.preview = .expect(tag)
        } else if options.dryRun, engine.previewRetention != nil {
            options.preview = .make
        }
        return (options, preferences)
    }

    /// A dry run's answer carries its preview's tag as its `ETag`.
    static func tagging(_ outcome: ChangeOutcome, _ response: Response) -> Response {
        guard let preview = outcome.preview else { return response }
        var response = response
        response.headers[.eTag] = "\"\(preview)\""
        return response
    }

    /// The options a delete or batch sets with `Prefer` and the query string.
    static func deleteOptions(
        _ request: IncomingRequest, supported: Set<Preferences.Kind> = [.return, .handling, .tx, .maxAffected, .respondAsync]
    ) throws(RestableError) -> (DeleteOptions, Preferences) {
        let preferences = try Preferences(request.headers, supported: supported)
        var options = DeleteOptions(ignoreMissing: try request.query.flag("ignoredeleted"))
        options.handling = preferences.handling ?? .strict
        options.maxAffected = preferences.maxAffected
        let dryRun = try request.query.flag("dryrun")
        options.dryRun = preferences.rollback || dryRun
        // A route that takes no purge has refused the parameter already.
        options.purge = try request.query.flag(Option.purge.rawValue)
        if try summaryDropped(request, preferences) { options.summaryLimit = 0 }
        return (options, preferences)
    }

    /// `?txsummary=false` or `Prefer: return=minimal`: the answer leaves the summary out.
    static func summaryDropped(_ request: IncomingRequest, _ preferences: Preferences) throws(RestableError) -> Bool {
        let keep = try request.query.boolean("txsummary") ?? true
        return !keep || preferences.returnMinimal
    }

    /// Adds `Preference-Applied` when any preference was acted on.
    static func applying(_ preferences: Preferences, to response: Response) -> Response {
        var response = response
        if let applied = preferences.appliedField { response.headers[.preferenceApplied] = applied }
        return response
    }

    /// A many-row outcome: 200 for all or partial, problem+json for none (404 if every failure
    /// is a missing row, else 409), each with the counts and every failure (capped, with the total).
    func render(_ outcome: ChangeOutcome, _ request: IncomingRequest, _ preferences: Preferences) throws(RestableError) -> Response {
        var members: [(String, JSON)] = [("outcome", .string(outcome.kind.rawValue))]
        if outcome.dryRun { members.append(("dryRun", .bool(true))) }
        if let preview = outcome.preview { members.append(("preview", .string(preview))) }
        guard outcome.kind != .none else {
            let allMissing = outcome.everyFailureIsMissing
            let error = RestableError(
                allMissing ? .notFound : .batchFailed,
                allMissing
                    ? "none of the rows exist; nothing was deleted"
                    : "\(outcome.failureCount) of the targets cannot be changed, so nothing was changed")
            return ProblemResponse.make(error, instance: Self.instance(request), extra: members + Self.failureMembers(outcome))
        }
        if let transaction = outcome.transaction { members.append(("transaction", .string(transaction))) }
        members += try summaryMembers(outcome, request, preferences, alwaysCount: true)
        if !outcome.failures.isEmpty { members += Self.failureMembers(outcome) }
        return JSONResponse.make(.ok, .object(members)).naming(outcome)
    }

    /// `errors`, and when the list is capped `errorsTruncated` and `errorCount`.
    static func failureMembers(_ outcome: ChangeOutcome) -> [(String, JSON)] {
        var members: [(String, JSON)] = [("errors", errors(outcome.failures))]
        if outcome.failuresTruncated {
            members.append(("errorsTruncated", .bool(true)))
            members.append(("errorCount", .integer(Int64(outcome.failureCount))))
        }
        return members
    }

    /// `txsummary` (unless dropped), `txsummaryTruncated` when capped, and `counts`.
    func summaryMembers(
        _ outcome: ChangeOutcome, _ request: IncomingRequest, _ preferences: Preferences, alwaysCount: Bool
    ) throws(RestableError) -> [(String, JSON)] {
        var members: [(String, JSON)] = []
        let dropped = try Self.summaryDropped(request, preferences)
        if !dropped {
            members.append(("txsummary", .array(outcome.changes.map { render($0, mountPath: request.mountPath) })))
        }
        if outcome.truncated, !dropped { members.append(("txsummaryTruncated", .bool(true))) }
        if alwaysCount || outcome.truncated || dropped { members.append(("counts", counts(outcome.counts))) }
        return members
    }

    /// The counts per resource, each under the name this mount serves it by.
    func counts(_ counts: ChangeCounts) -> JSON {
        .object(counts.resources.map { resource in
            (names.exposedName(of: resource), .object(counts.verbs(of: resource).map { ($0.0.rawValue, .integer(Int64($0.1))) }))
        })
    }

    static func errors(_ failures: [TargetFailure]) -> JSON {
        .array(failures.map { failure in
            var members: [(String, JSON)] = []
            if let index = failure.index { members.append(("index", .integer(Int64(index)))) }
            if let key = failure.key { members.append(("key", RowRendering.json(key))) }
            members.append(("code", .string(failure.error.code.description)))
            members.append(("detail", .string(failure.error.message)))
            if !failure.error.blockers.isEmpty { members.append(("dependents", ProblemResponse.dependents(failure.error.blockers))) }
            return .object(members)
        })
    }

    static func instance(_ request: IncomingRequest) -> String {
        let instance = ([request.mountPath] + request.segments).joined(separator: "/")
        return instance.isEmpty ? "/" : instance
    }

    /// A filter operand as a key: text as a path key, a value as a body key.
    static func keyInput(_ operand: FilterOperand) -> KeyInput {
        switch operand {
        case .text(let text): .parts([text])
        case .value(let value): .values([value])
        }
    }
}

import Hummingbird
import RestableCore

/// DELETE of one row, and of many rows of a collection.
extension NativeDialect {
    /// One row: 200 with the transaction summary, or 204 on `Prefer: return=minimal`.
    func delete(_ resource: Resource, _ key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let options = try Self.deleteOptions(request)
        let outcome = try await engine.delete(
            DeleteRequest(
                resource: resource.name, key: key, precondition: try Self.precondition(request),
                ignoreMissing: options.ignoreMissing, dryRun: options.dryRun, summaryLimit: options.summaryLimit))
        if Self.preferences(request).contains("return=minimal"), !outcome.dryRun {
            return Response(status: .noContent)
        }
        var members: [(String, JSON)] = []
        if outcome.dryRun { members.append(("dryRun", .bool(true))) }
        members += summaryMembers(outcome, request, alwaysCount: false)
        return JSONResponse.make(.ok, .object(members))
    }

    /// Many rows: a JSON array of keys in the body, `?key=in.(...)`, a filter, or `?all=true`.
    func deleteCollection(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        let filters = try Self.filters(request)
        let precondition = try Self.precondition(request)
        let selection: DeleteSelection
        if !request.body.isEmpty {
            guard filters.isEmpty, !request.query.contains("all") else {
                throw RestableError(.invalidQuery, "send the keys to delete in the body or a filter in the query, not both")
            }
            try Self.checkContentType(request)
            selection = .keys(try JSONKeySource(body: request.body, resource: resource))
        } else if filters.count == 1, resource.key == [filters[0].column], filters[0].operation == .oneOf {
            let targets = filters[0].operands.map { KeyedTarget(key: .parts([$0]), precondition: precondition) }
            selection = .keys(KeyList(targets))
        } else if !filters.isEmpty {
            selection = .filter(filters, precondition)
        } else if request.query.flag("all") {
            selection = .everyRow(precondition)
        } else {
            throw RestableError(
                .unboundedDelete,
                "DELETE on the \(resource.name) collection needs keys (a JSON array body, or ?\(resource.key[0])=in.(...)), a filter, or ?all=true to delete every row",
                resource: resource.name)
        }
        let outcome = try await engine.deleteMany(
            BulkDeleteRequest(resource: resource.name, selection: selection, options: try Self.deleteOptions(request)))
        return render(outcome, request)
    }

    /// The options a request sets with `Prefer` and the query string.
    static func deleteOptions(_ request: IncomingRequest) throws(RestableError) -> DeleteOptions {
        let preferences = preferences(request)
        var options = DeleteOptions(ignoreMissing: request.query.flag("ignoredeleted"))
        for preference in preferences {
            if preference == "handling=lenient" { options.handling = .lenient }
            if preference == "tx=rollback" { options.dryRun = true }
            if preference.hasPrefix("max-affected=") {
                guard let max = Int(preference.dropFirst("max-affected=".count)), max >= 0 else {
                    throw RestableError(.invalidHeader, "Prefer: max-affected needs a whole number, zero or more")
                }
                options.maxAffected = max
            }
        }
        if request.query.flag("dryrun") { options.dryRun = true }
        if summaryDropped(request) { options.summaryLimit = 0 }
        return options
    }

    /// `?txsummary=false` or `Prefer: return=minimal`: the answer leaves the summary out.
    static func summaryDropped(_ request: IncomingRequest) -> Bool {
        request.query["txsummary"].map { ["false", "0", "no"].contains($0.lowercased()) } == true
            || preferences(request).contains("return=minimal")
    }

    /// A many-row outcome: 200 for all or partial, problem+json for none (404 if every failure
    /// is a missing row, else 409), each with the counts and every failure.
    func render(_ outcome: ChangeOutcome, _ request: IncomingRequest) -> Response {
        var members: [(String, JSON)] = [("outcome", .string(outcome.kind.rawValue))]
        if outcome.dryRun { members.append(("dryRun", .bool(true))) }
        guard outcome.kind != .none else {
            let allMissing = outcome.everyFailureIsMissing
            let error = RestableError(
                allMissing ? .notFound : .batchFailed,
                allMissing
                    ? "none of the rows exist; nothing was deleted"
                    : "\(outcome.failures.count) of the targets cannot be changed, so nothing was changed")
            return ProblemResponse.make(
                error, instance: Self.instance(request), extra: members + [("errors", Self.errors(outcome.failures))])
        }
        members += summaryMembers(outcome, request, alwaysCount: true)
        if !outcome.failures.isEmpty { members.append(("errors", Self.errors(outcome.failures))) }
        return JSONResponse.make(.ok, .object(members))
    }

    /// `txsummary` (unless dropped), `txsummaryTruncated` when capped, and `counts`.
    func summaryMembers(_ outcome: ChangeOutcome, _ request: IncomingRequest, alwaysCount: Bool) -> [(String, JSON)] {
        var members: [(String, JSON)] = []
        let dropped = Self.summaryDropped(request)
        if !dropped {
            members.append(("txsummary", .array(outcome.changes.map { render($0, mountPath: request.mountPath) })))
        }
        if outcome.truncated, !dropped { members.append(("txsummaryTruncated", .bool(true))) }
        if alwaysCount || outcome.truncated || dropped { members.append(("counts", Self.counts(outcome.counts))) }
        return members
    }

    static func counts(_ counts: ChangeCounts) -> JSON {
        .object(counts.resources.map { resource in
            (resource, .object(counts.verbs(of: resource).map { ($0.0.rawValue, .integer(Int64($0.1))) }))
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
}

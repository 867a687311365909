import HTTPTypes
import Hummingbird
import RestableCore

/// Long deletes as jobs: `Prefer: respond-async` on a DELETE or a batch answers `202 Accepted`
/// with `Location: {mount}/_jobs/{id}`; `GET` there shows the job's state and progress, then
/// the answer the request would have given; `DELETE` there cancels it (its transaction rolls
/// back). See ``JobRunner``.
extension NativeDialect {
    /// The first path segment of the jobs' routes; no resource is served under this name.
    public static let jobsSegment = "_jobs"

    /// The methods of `/_jobs/{id}`.
    static let jobMethods = "GET, HEAD, DELETE"

    /// How long a cancel waits for the job to end before it answers `202`.
    static let cancelWait = Duration.seconds(10)

    /// Runs `work` now, or, on `Prefer: respond-async`, as a job: `202` with its status.
    func runOrStart(_ request: IncomingRequest, _ preferences: Preferences, _ work: @escaping JobRunner.Work) async throws(RestableError) -> Response {
        guard preferences.respondAsync else { return try await work(engine) }
        guard let jobs else { throw RestableError(.invalidHeader, "Prefer: respond-async is not offered by this server (it keeps no jobs)") }
        let answering = request.withoutPayload
        let record = try await jobs.start(
            engine, mount: request.mountPath, request: Self.described(request), principal: Self.owner(request.access), work: work,
            failure: { [self] error in failure(error, for: answering) })
        var response = JSONResponse.make(.accepted, render(record, request))
        response.headers[.location] = Self.jobPath(record.id, request)
        response.headers[.retryAfter] = "1"
        // The other preferences shape the job's answer (and are listed there), not this one.
        response.headers[.preferenceApplied] = Preferences.Kind.respondAsync.rawValue
        return response
    }

    /// `GET|HEAD /_jobs/{id}` and `DELETE /_jobs/{id}`.
    func jobRoute(_ request: IncomingRequest) async throws(RestableError) -> Response {
        guard request.segments.count == 2 else { throw RestableError(.notFound, "a job is at \(request.mountPath)/\(Self.jobsSegment)/{id}") }
        guard request.method == .get || request.method == .head || request.method == .delete else {
            throw RestableError(.methodNotAllowed, "\(request.method) is not allowed here; allowed: \(Self.jobMethods)")
        }
        try Self.refuseOtherParameters(request, except: [], here: "a job")
        try Self.refuseBody(request, "a job's URL is all it needs")
        _ = try Preferences(request.headers, supported: [])
        guard let jobs else { throw RestableError(.notFound, "this server keeps no jobs") }
        let id = try PathSegments.decode(request.segments[1])
        let missing = RestableError(
            .notFound, "no job \(id.prefix(64)) was started by this caller on this mount (finished jobs are kept for 24 hours)")
        // Whose it is, first: nothing is done to another caller's job.
        guard Self.isJobID(id), let known = try await jobs.record(id, engine: engine), owns(known, request) else { throw missing }
        let found = try await jobs.judged(known, engine: engine)
        if request.method == .delete {
            guard !found.state.isFinal else { throw Self.ended(found, request) }
            guard let record = try await jobs.cancel(id, engine: engine, wait: Self.cancelWait) else { throw missing }
            if record.state == .cancelled || record.state == .failed {
                return JSONResponse.make(.ok, render(record, request))
            }
            guard record.state.isFinal else {
                // Still rolling back (or its server is slow to see the cancel): look again later.
                var response = JSONResponse.make(.accepted, render(record, request))
                response.headers[.retryAfter] = "1"
                return response
            }
            throw Self.ended(record, request, lately: true)
        }
        var response = JSONResponse.make(.ok, render(found, request))
        if !found.state.isFinal { response.headers[.retryAfter] = "1" }
        return response
    }

    /// A job is seen only on the mount it was started on, and only by whoever started it.
    private func owns(_ record: JobRecord, _ request: IncomingRequest) -> Bool {
        record.mount == request.mountPath && record.principal == Self.owner(request.access)
    }

    /// Whose a job is: the caller's name, or nil on a mount without authentication.
    private static func owner(_ access: Access) -> String? {
        if case .principal(let principal, _) = access { principal.name } else { nil }
    }

    /// A cancel of a job that has ended: `409 jobFinished`, saying how.
    private static func ended(_ record: JobRecord, _ request: IncomingRequest, lately: Bool = false) -> RestableError {
        let how: String
        switch record.state {
        case .completed where record.transaction != nil:
            let undo = "\(request.mountPath)/\(transactionsSegment)/\(record.transaction!)/undo"
            how = "it committed\(lately ? " before the cancel reached it" : "") (transaction \(record.transaction!)): undo it instead with POST \(undo)"
        case .completed: how = "it completed\(lately ? " before the cancel reached it" : "") with status \(record.status.map(String.init) ?? "unknown")"
        case .cancelled: how = "it was cancelled already"
        default: how = "it failed: \(record.detail ?? "see the job")"
        }
        return RestableError(.jobFinished, "job \(record.id) cannot be cancelled: \(how)")
    }

    /// A job's status as JSON.
    func render(_ record: JobRecord, _ request: IncomingRequest) -> JSON {
        func instant(_ milliseconds: Int64) -> JSON { .string(Timestamp.format(milliseconds * 1000) ?? String(milliseconds)) }
        var members: [(String, JSON)] = [
            ("id", .string(record.id)), ("href", .string(Self.jobPath(record.id, request))), ("state", .string(record.state.rawValue)),
            ("phase", .string(record.phase.rawValue)), ("rows", .integer(Int64(record.rows))), ("request", .string(record.request)),
            ("created", instant(record.createdMs)), ("updated", instant(record.updatedMs)),
        ]
        if record.cancelRequested { members.append(("cancelRequested", .bool(true))) }
        if let finished = record.finishedMs { members.append(("finished", instant(finished))) }
        if let transaction = record.transaction { members.append(("transaction", .string(transaction))) }
        if let status = record.status {
            var body = JSON.null
            if let text = record.response, !text.isEmpty { body = (try? JSONParser.parse(Array(text.utf8))) ?? .string(text) }
            var response: [(String, JSON)] = [("status", .integer(Int64(status)))]
            if let text = record.responseHeaders, let headers = try? JSONParser.parse(Array(text.utf8)) { response.append(("headers", headers)) }
            response.append(("body", body))
            members.append(("response", .object(response)))
        }
        if let detail = record.detail { members.append(("detail", .string(detail))) }
        return .object(members)
    }

    static func jobPath(_ id: String, _ request: IncomingRequest) -> String {
        request.mountPath + "/" + jobsSegment + "/" + id
    }

    /// A job's id: a version-4 UUID in lower case. Anything else names no job.
    static func isJobID(_ text: String) -> Bool {
        text.utf8.count == 36
            && text.utf8.enumerated().allSatisfy { index, byte in
                [8, 13, 18, 23].contains(index) ? byte == UInt8(ascii: "-") : (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
            }
    }

    /// `DELETE /api/customer?name=eq.x`, as the job's status names its request (at most 1,000
    /// characters).
    static func described(_ request: IncomingRequest) -> String {
        var text = "\(request.method) \(instance(request))"
        let query = request.query.map { item in item.value.map { "\(item.name)=\($0)" } ?? item.name }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        if request.method == .post || !request.body.isEmpty { text += " (with a body of \(request.body.count) bytes)" }
        return text.count > 1_000 ? String(text.prefix(999)) + "…" : text
    }
}

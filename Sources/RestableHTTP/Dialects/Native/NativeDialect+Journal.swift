import Hummingbird
import RestableCore

/// The journal's routes: `GET /_transactions` (newest first, filtered, paged),
/// `GET /_transactions/{id}` (one, with every row it touched) and
/// `POST /_transactions/{id}/undo` (`?dryrun`, `?txsummary=false`).
extension NativeDialect {
    /// The first path segment of the journal's routes; no resource is served under this name.
    public static let transactionsSegment = "_transactions"

    /// The largest page of `GET /_transactions`, and the page without `limit`.
    static let largestTransactionPage = 1_000
    static let defaultTransactionPage = 50

    func journal(_ request: IncomingRequest) async throws(RestableError) -> Response {
        let segments = request.segments
        switch (segments.count, request.method) {
        case (1, .get), (1, .head): return try await transactions(request)
        case (2, .get), (2, .head): return try await transaction(try Self.transactionID(segments[1]), request)
        case (3, .post) where segments[2] == "undo": return try await undo(try Self.transactionID(segments[1]), request)
        default:
            guard let allowed = Self.journalMethods(segments) else { throw RestableError(.notFound, "nothing is served at this path") }
            throw RestableError(.methodNotAllowed, "\(request.method) is not allowed here; allowed: \(allowed)")
        }
    }

    /// The methods served at a journal path, for `Allow`.
    static func journalMethods(_ segments: [String]) -> String? {
        switch segments.count {
        case 1, 2: "GET, HEAD"
        case 3 where segments[2] == "undo": "POST"
        default: nil
        }
    }

    /// `GET /_transactions?resource=&principal=&since=&until=&limit=&before=`.
    private func transactions(_ request: IncomingRequest) async throws(RestableError) -> Response {
        try request.query.refuseOthers(than: ["resource", "principal", "since", "until", "limit", "before"], here: "the list of transactions")
        try Self.refuseBody(request, "filter the transactions in the query")
        _ = try Preferences(request.headers, supported: [])
        var query = TransactionQuery(limit: Self.defaultTransactionPage)
        if let name = try request.query.single("resource") {
            query.resource = try names.resource(name, in: engine.schema).name
        }
        if let principal = try request.query.single("principal") {
            guard !principal.isEmpty else { throw RestableError(.invalidQuery, "query parameter 'principal' needs a name") }
            query.principal = principal
        }
        query.since = try Self.instant(request, "since")
        query.until = try Self.instant(request, "until")
        if let limit = try request.query.count("limit") {
            guard (1...Self.largestTransactionPage).contains(limit) else {
                throw RestableError(.invalidQuery, "query parameter 'limit' must be from 1 to \(Self.largestTransactionPage); got \(limit)")
            }
            query.limit = limit
        }
        if let before = try request.query.single("before") {
            guard TransactionID.isWellFormed(before) else {
                throw RestableError(.invalidQuery, "query parameter 'before' must be a transaction id (1764982800123-3fa9c2b1d07e); got '\(before)'")
            }
            query.before = before
        }
        let found = try await engine.transactions(query)
        var members: [(String, JSON)] = [("transactions", .array(found.map { render($0, request) }))]
        var headers: HTTPFields = [:]
        if found.count == query.limit, let last = found.last {
            let next = nextPage(request, after: last.id)
            members.append(("next", .string(next)))
            headers[.link] = "<\(next)>; rel=\"next\""
        }
        return JSONResponse.make(.ok, .object(members), headers: headers)
    }

    /// `GET /_transactions/{id}`: the transaction and its entries, each with its rows.
    private func transaction(_ id: String, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [], here: "a GET of a transaction")
        try Self.refuseBody(request, "a GET of a transaction")
        _ = try Preferences(request.headers, supported: [])
        let (transaction, entries) = try await engine.transaction(id)
        let rendered = entries.map { entry -> JSON in
            var members: [(String, JSON)] = [
                ("resource", .string(names.exposedName(of: entry.resource))),
                ("action", .string(entry.action.rawValue)),
            ]
            if !entry.cleared.isEmpty { members.append(("cleared", .array(entry.cleared.map(JSON.string)))) }
            members.append(("rowCount", .integer(Int64(entry.rows.count))))
            // Rows of a resource served with the same columns are rendered as its rows are (href,
            // checksum); others only with the columns the journal kept.
            let resource = engine.schema.resource(named: entry.resource).flatMap { $0.columnNames == entry.columns ? $0 : nil }
            members.append(
                ("rows", .array(entry.rows.map { row in
                    resource.map { render(row, of: $0, mountPath: request.mountPath) } ?? .object(entry.columns.map { ($0, RowRendering.json(row[$0])) })
                })))
            return .object(members)
        }
        guard case .object(var members) = render(transaction, request) else { throw RestableError(.internalError, "a transaction rendered as other than an object") }
        members.append(("entries", .array(rendered)))
        return JSONResponse.make(.ok, .object(members))
    }

    /// `POST /_transactions/{id}/undo`: 200 with the undo's own transaction id and its summary,
    /// or 409 (`undoConflict`) naming each conflict.
    private func undo(_ id: String, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [.dryrun, .txsummary], here: "an undo")
        try Self.refuseBody(request, "an undo reads no body: POST to the transaction's undo URL")
        let preferences = try Preferences(request.headers, supported: [.return, .tx])
        var undo = UndoRequest(transaction: id, dryRun: try request.query.flag("dryrun") || preferences.rollback)
        if try Self.summaryDropped(request, preferences) { undo.summaryLimit = 0 }
        let outcome = try await engine.undo(undo)
        var members: [(String, JSON)] = []
        if outcome.dryRun { members.append(("dryRun", .bool(true))) }
        if let transaction = outcome.transaction { members.append(("transaction", .string(transaction))) }
        members.append(("undid", .string(id)))
        members += try summaryMembers(outcome, request, preferences, alwaysCount: true)
        return Self.applying(preferences, to: JSONResponse.make(.ok, .object(members))).naming(outcome)
    }

    /// A transaction's own members, with its href.
    private func render(_ transaction: JournaledTransaction, _ request: IncomingRequest) -> JSON {
        var members: [(String, JSON)] = [
            ("id", .string(transaction.id)),
            ("href", .string(request.mountPath + "/" + Self.transactionsSegment + "/" + transaction.id)),
            ("at", .string(Timestamp.format(transaction.at * 1000) ?? String(transaction.at))),
            ("action", .string(transaction.action)),
        ]
        if let resource = transaction.resource { members.append(("resource", .string(names.exposedName(of: resource)))) }
        members.append(("principal", transaction.principal.map(JSON.string) ?? .null))
        if let requestID = transaction.requestID { members.append(("requestId", .string(requestID))) }
        members.append(("counts", counts(transaction.counts)))
        members.append(("complete", .bool(transaction.complete)))
        if let undoOf = transaction.undoOf { members.append(("undoOf", .string(undoOf))) }
        members.append(("undoneBy", transaction.undoneBy.map(JSON.string) ?? .null))
        return .object(members)
    }

    /// The same list request for the page after `id` (`before` replaced).
    private func nextPage(_ request: IncomingRequest, after id: String) -> String {
        var items = request.query.filter { $0.name != "before" }.map { item in
            PercentEncoding.encode(item.name) + (item.value.map { "=" + PercentEncoding.encode($0) } ?? "")
        }
        items.append("before=" + id)
        return request.mountPath + "/" + Self.transactionsSegment + "?" + items.joined(separator: "&")
    }

    /// An id from the path: well formed, else 404 (no transaction can have it).
    static func transactionID(_ segment: String) throws(RestableError) -> String {
        guard TransactionID.isWellFormed(segment) else {
            throw RestableError(.notFound, "'\(segment)' is not a transaction id (they look like 1764982800123-3fa9c2b1d07e)")
        }
        return segment
    }

    /// `since` / `until`: an RFC 3339 date-time, in milliseconds since 1970.
    static func instant(_ request: IncomingRequest, _ name: String) throws(RestableError) -> Int64? {
        guard let text = try request.query.single(name) else { return nil }
        guard let canonical = Timestamp.canonical(text), let microseconds = Timestamp.microseconds(canonical) else {
            throw RestableError(.invalidQuery, "query parameter '\(name)' must be an RFC 3339 date-time (2026-12-06T10:00:00Z); got '\(text)'")
        }
        // Rounded up to the millisecond the journal keeps: `since` includes and `until` excludes
        // exactly the transactions at or after, and before, the instant.
        let (whole, rest) = microseconds.quotientAndRemainder(dividingBy: 1000)
        return rest > 0 ? whole + 1 : whole
    }
}

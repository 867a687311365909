/// The hourly row budget (a role's `maxRowsPerHour`): the rows a caller deleted or detached in
/// the last hour, summed from ``RestableTables/rowBudget`` in the delete's own transaction, so
/// that every server on the database counts the same rows and a delete that rolls back is
/// never charged.
extension Engine {
    static let hourMilliseconds: Int64 = 3_600_000

    /// Charges `rows` to the caller, or refuses (`overBudget`, with the seconds until enough of
    /// the last hour's rows age out as `retryAfter`) when they would take it past its budget.
    /// A purge (`action` `.purge`) is charged under the budget of the roles that may purge.
    func chargeHourlyBudget(_ rows: Int, deleting resource: Resource, by action: Action = .delete, in session: any StoreSession) async throws {
        guard rows > 0, let principal = authorization.principal, let limit = authorization.maxRowsPerHour(deleting: resource.name, by: action) else {
            return
        }
        let who = Authorization.who(principal)
        guard rows <= limit else {
            throw RestableError(
                .overBudget,
                "this delete would delete or detach \(rows) rows, more than the \(limit) that \(who) may in an hour; nothing was changed: send it in smaller parts",
                resource: resource.name, count: rows)
        }
        let ledger = RestableTables.rowBudget
        // Two servers charging the same caller take turns (SQLite's writes already do).
        try await session.serialize(on: "restable-row-budget:\(principal.name)")
        let now = clock()
        let windowStart = now - Self.hourMilliseconds
        let mine = Condition.compare(column: "principal", .eq, .text(principal.name))
        _ = try await session.delete(ledger, where: RowPredicate([mine, .compare(column: "at_ms", .lte, .integer(windowStart))]))
        let entries = try await session.select(ledger, where: RowPredicate([mine])).compactMap { row -> (at: Int64, rows: Int64)? in
            guard case .integer(let at) = row["at_ms"], case .integer(let count) = row["row_count"] else { return nil }
            return (at, count)
        }.sorted { $0.at < $1.at }
        let used = entries.reduce(Int64(0)) { $0 + $1.rows }
        if used + Int64(rows) > Int64(limit) {
            var freed: Int64 = 0
            var retryAt = now + Self.hourMilliseconds
            for entry in entries {
                freed += entry.rows
                if used - freed + Int64(rows) <= Int64(limit) {
                    retryAt = entry.at + Self.hourMilliseconds
                    break
                }
            }
            let seconds = Int(max(1, (retryAt - now + 999) / 1000))
            throw RestableError(
                .overBudget,
                "\(who) has deleted or detached \(used) rows in the last hour; this delete would add \(rows), past the budget of \(limit) an hour; nothing was changed: try again in \(seconds) s",
                resource: resource.name, count: rows, retryAfter: seconds)
        }
        _ = try await session.insert(ledger, values: ["principal": .text(principal.name), "at_ms": .integer(now), "row_count": .integer(Int64(rows))])
    }
}

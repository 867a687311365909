import Logging

/// Retention: journaled transactions older than their retention go, with their entries.
extension Engine {
    /// Removes every journaled transaction older than its retention (the shortest `retention`
    /// among the resources it touched), or than `olderThan` when given, with its entries; a
    /// page of transactions at a time, each page in a transaction of its own. Several servers
    /// may purge at once: they take turns on each page, and a transaction is counted by the one
    /// that removed it.
    public func purgeJournal(olderThan: RetentionPeriod? = nil, dryRun: Bool = false) async throws(RestableError) -> PurgeReport {
        let journal = try requireJournal()
        let now = clock()
        let bound = now - (olderThan ?? journal.shortestRetention).milliseconds
        var report = PurgeReport(dryRun: dryRun)
        var after: String?
        // A server that stops ends its purge between pages; the next purge goes on from there.
        while !Task.isCancelled {
            let last = after
            let page = try await run(write: !dryRun) { session -> PurgeReport.Page in
                if !dryRun { try await session.serialize(on: "restable-purge") }
                var conditions: [Condition] = [.compare(column: "at_ms", .lt, .integer(bound))]
                if let last { conditions.append(.compare(column: "id", .gt, .text(last))) }
                let rows = try await session.select(
                    RestableTables.transactions, where: RowPredicate(conditions), order: [SortKey("id")], limit: Self.purgePageSize, offset: nil)
                var page = PurgeReport.Page(read: rows.count)
                var expired: [Value] = []
                for row in rows {
                    guard case .text(let id) = row["id"], case .integer(let at) = row["at_ms"] else { continue }
                    page.last = id
                    // A row the journal cannot read is kept no longer than any resource's rows.
                    let retention = olderThan ?? (try? JournaledTransaction(row)).map { journal.retention(of: $0.counts.resources) } ?? journal.shortestRetention
                    guard at < now - retention.milliseconds else { continue }
                    expired.append(.text(id))
                    if case .integer(let count) = row["row_count"] { page.rows += Int(count) }
                }
                guard !expired.isEmpty else { return page }
                let entries = RowPredicate([.oneOf(column: "transaction_id", expired)])
                page.entries = try await session.count(RestableTables.journal, where: entries)
                page.transactions = expired.count
                if !dryRun {
                    _ = try await session.delete(RestableTables.journal, where: entries)
                    // Undos of a purged transaction, and those undone by a purged undo, lose the link only.
                    page.transactions = try await session.delete(RestableTables.transactions, where: RowPredicate([.oneOf(column: "id", expired)]))
                }
                return page
            }
            report.transactions += page.transactions
            report.entries += page.entries
            report.rows += page.rows
            guard page.read == Self.purgePageSize, let next = page.last else { break }
            after = next
        }
        if !dryRun, report.transactions > 0 {
            logger.notice(
                "purged the journal",
                metadata: ["transactions": "\(report.transactions)", "entries": "\(report.entries)", "rows": "\(report.rows)"])
        }
        return report
    }

    /// How many transactions one page of a purge reads.
    public static let purgePageSize = 500
}

/// What a purge removed, or in a dry run would remove.
public struct PurgeReport: Sendable, Hashable {
    /// Journaled transactions.
    public var transactions = 0
    /// Their entries (one per statement of each).
    public var entries = 0
    /// The rows those transactions had touched.
    public var rows = 0
    public var dryRun: Bool

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    struct Page: Sendable {
        var read: Int
        var last: String?
        var transactions = 0
        var entries = 0
        var rows = 0
    }
}

/// The journal's reads (the transactions, one with every row it touched) and its undo.
extension Engine {
    /// Journaled transactions, newest first (by id: the time each began), that match `query` and
    /// whose every resource the caller may read without a row policy.
    public func transactions(_ query: TransactionQuery) async throws(RestableError) -> [JournaledTransaction] {
        try requireJournal()
        guard query.limit > 0 else { return [] }
        var conditions: [Condition] = []
        if let resource = query.resource { conditions.append(.compare(column: "resource", .eq, .text(resource))) }
        if let principal = query.principal { conditions.append(.compare(column: "principal", .eq, .text(principal))) }
        if let since = query.since { conditions.append(.compare(column: "at_ms", .gte, .integer(since))) }
        if let until = query.until { conditions.append(.compare(column: "at_ms", .lt, .integer(until))) }
        let base = conditions
        return try await run(write: false) { session in
            var found: [JournaledTransaction] = []
            var before = query.before
            // Transactions the caller may not read are skipped; pages are read until the limit
            // is met or the journal ends.
            while found.count < query.limit {
                var page = base
                if let before { page.append(.compare(column: "id", .lt, .text(before))) }
                let rows = try await session.select(
                    RestableTables.transactions, where: RowPredicate(page), order: [SortKey("id", descending: true)], limit: query.limit,
                    offset: nil)
                for row in rows {
                    let transaction = try JournaledTransaction(row)
                    if transaction.counts.resources.allSatisfy({ self.mayReadJournal(of: $0) }) {
                        found.append(transaction)
                        if found.count == query.limit { break }
                    }
                }
                guard rows.count == query.limit, case .text(let last) = rows.last?["id"] else { break }
                before = last
            }
            return found
        }
    }

    /// One journaled transaction with every row it touched, or `notFound`; `forbidden` unless
    /// the caller may read every resource it touched.
    public func transaction(_ id: String) async throws(RestableError) -> (JournaledTransaction, [JournalEntry]) {
        try requireJournal()
        let found = try await run(write: false) { session in
            try await self.load(id, in: session)
        }
        for resource in found.0.counts.resources where !mayReadJournal(of: resource) {
            let who = authorization.principal.map(Authorization.who) ?? "the caller"
            throw RestableError(
                .forbidden,
                authorization.allows(.read, on: resource)
                    ? "\(who) reads \(resource) under a row policy, and the journal's rows of transaction \(id) are not filtered by it"
                    : "\(who) may not read \(resource), which transaction \(id) touched",
                resource: resource)
        }
        return found
    }

    /// True when the caller may see every journaled row of `resource`: it may read the resource,
    /// and no row policy limits which rows (the journal's rows are not filtered by one).
    private func mayReadJournal(of resource: String) -> Bool {
        guard authorization.allows(.read, on: resource) else { return false }
        guard let served = schema.resource(named: resource) else { return authorization.principal == nil }
        return authorization.rows(.read, of: served) == nil
    }

    /// Puts back, in one transaction, every row that a journaled transaction deleted (parents
    /// first, with the values they had) and every column it set to null. Refuses with
    /// `undoConflict`, changing nothing, when it cannot do so exactly. The undo is journaled
    /// too (it cannot itself be undone: delete the rows again instead).
    func unobservedUndo(_ request: UndoRequest) async throws(RestableError) -> ChangeOutcome {
        try requireJournal()
        let limit = request.summaryLimit ?? summaryLimit
        let recorder = journalRecorder(dryRun: request.dryRun)
        let id = request.transaction
        let outcome = try await run(write: true) { session in
            // Two undos of one transaction take turns; the second finds it undone.
            try await session.serialize(on: "restable-undo:\(id)")
            let (transaction, entries) = try await self.load(id, in: session)
            let restoring = try await self.checkUndo(transaction, entries, in: session)
            var log = ChangeLog(limit: limit)
            for (resource, entry) in restoring.reversed() {
                switch entry.action {
                case .delete:
                    // A column the database computes is computed again, to the same value.
                    let computed = Set(resource.columns.filter { $0.readOnly && !$0.readAsText }.map(\.name))
                    for row in entry.rows {
                        // Into the trash again, for a row a purge removed from it.
                        _ = try await session.insert(
                            resource.stored, values: computed.isEmpty ? row.values : row.values.filter { !computed.contains($0.key) })
                    }
                    if let filter = self.authorization.rows(.insert, of: resource) {
                        let keys = entry.rows.map { $0.key(in: resource) }
                        if let key = keys.first, try await self.count(keys, of: resource, meeting: filter, in: session) != keys.count {
                            throw self.forbiddenRow(resource, key, "insert", filter)
                        }
                    }
                    try await recorder?.record(.restore, entry.rows, of: resource, in: session)
                    log.record(.insert, entry.rows, of: resource)
                case .setNull:
                    var restored: [Row] = []
                    for before in entry.rows {
                        let values = Dictionary(uniqueKeysWithValues: entry.cleared.map { ($0, before[$0]) })
                        _ = try await session.update(resource, where: .key(before.key(in: resource), of: resource), set: values)
                        restored.append(before)
                    }
                    if let filter = self.authorization.rows(.update, of: resource) {
                        let keys = restored.map { $0.key(in: resource) }
                        if let key = keys.first, try await self.count(keys, of: resource, meeting: filter, in: session) != keys.count {
                            throw self.forbiddenRow(resource, key, "update", filter)
                        }
                    }
                    if let recorder {
                        let nulled = entry.rows.map { row in
                            var after = row
                            for column in entry.cleared { after[column] = .null }
                            return after
                        }
                        try await recorder.record(.unsetNull, nulled, of: resource, cleared: entry.cleared, in: session)
                    }
                    log.record(.update, restored, of: resource)
                case .trash:
                    try await self.untrash(entry.rows, of: resource, recorder: recorder, in: session)
                    log.record(.insert, entry.rows, of: resource)
                case .restore, .unsetNull, .untrash:
                    throw RestableError(.internalError, "an undo's journal entry was taken for a delete's")
                }
            }
            let options = DeleteOptions(dryRun: request.dryRun)
            var outcome = try Self.committable(log.outcome(succeeded: 1, failures: [], options: options), options)
            if let recorder {
                let marked = try await session.update(
                    RestableTables.transactions,
                    where: RowPredicate([.compare(column: "id", .eq, .text(id)), .isNull(column: "undone_by", true)]),
                    set: ["undone_by": .text(recorder.transaction)])
                guard marked == 1 else { throw Self.undoConflicts([UndoConflict(.alreadyUndone, "transaction \(id) has been undone already")], id) }
                try await self.finishJournal(recorder, &outcome, action: "undo", resource: transaction.resource, undoOf: id, in: session)
            }
            return outcome
        }
        if !request.dryRun { logChange("undo", of: nil, counts: outcome.counts) }
        return outcome
    }

    /// The journal's settings, or `notFound` when this server keeps none.
    @discardableResult
    func requireJournal() throws(RestableError) -> JournalSettings {
        guard let journal else {
            throw RestableError(.notFound, "this server keeps no journal of deletes (journal: false in its configuration)")
        }
        return journal
    }

    /// The transaction's row and its entries in the order they were written.
    private func load(_ id: String, in session: any StoreSession) async throws -> (JournaledTransaction, [JournalEntry]) {
        guard TransactionID.isWellFormed(id),
            let row = try await session.select(RestableTables.transactions, where: RowPredicate([.compare(column: "id", .eq, .text(id))])).first
        else {
            throw RestableError(.notFound, "no journaled transaction has the id '\(id)'")
        }
        let transaction = try JournaledTransaction(row)
        let rows = try await session.select(
            RestableTables.journal, where: RowPredicate([.compare(column: "transaction_id", .eq, .text(id))]), order: [SortKey("id")],
            limit: nil, offset: nil)
        return (transaction, try rows.map(JournalEntry.init))
    }

    /// The entries an undo of `transaction` applies, each with its resource as served now, in
    /// the order they were written; or `undoConflict` naming everything that stands in the way.
    private func checkUndo(
        _ transaction: JournaledTransaction, _ entries: [JournalEntry], in session: any StoreSession
    ) async throws -> [(Resource, JournalEntry)] {
        let id = transaction.id
        var conflicts: [UndoConflict] = []
        if let undo = transaction.undoneBy { conflicts.append(UndoConflict(.alreadyUndone, "transaction \(id) has been undone already, by \(undo)")) }
        if transaction.action == "undelete" {
            conflicts.append(UndoConflict(.isUndo, "transaction \(id) is an undelete, which is not undone: delete the rows again"))
        }
        if let undone = transaction.undoOf {
            conflicts.append(UndoConflict(.isUndo, "transaction \(id) is the undo of \(undone); an undo cannot be undone: delete the rows again"))
        }
        if !transaction.complete {
            let missing = transaction.counts.resources.filter { name in !entries.contains { $0.resource == name } }
            conflicts.append(
                UndoConflict(
                    .notJournaled, resource: missing.first,
                    "transaction \(id) touched rows that were not journaled (\(missing.joined(separator: ", "))): it cannot be put back whole"))
        }
        guard conflicts.isEmpty else { throw Self.undoConflicts(conflicts, id) }
        var restoring: [(Resource, JournalEntry)] = []
        for entry in entries {
            guard let resource = schema.resource(named: entry.resource) else {
                conflicts.append(UndoConflict(.schemaChanged, resource: entry.resource, "\(entry.resource) is no longer served"))
                continue
            }
            if let reason = resource.readOnly {
                conflicts.append(UndoConflict(.schemaChanged, resource: resource.name, "\(resource.name) is read-only now (\(reason.explanation))"))
                continue
            }
            // Entries written before the resource kept a trash lack its column: their rows were live.
            guard Set(entry.columns) == Set(resource.stored.columnNames) || Set(entry.columns) == Set(resource.columnNames) else {
                conflicts.append(
                    UndoConflict(
                        .schemaChanged, resource: resource.name,
                        "the columns of \(resource.name) are not those it had when transaction \(id) ran (\(entry.columns.joined(separator: ", ")))"))
                continue
            }
            if entry.action == .trash, resource.softDelete == nil {
                conflicts.append(UndoConflict(.schemaChanged, resource: resource.name, "\(resource.name) no longer keeps a trash (softDelete)"))
                continue
            }
            try authorization.require(entry.action == .setNull ? .update : .insert, on: resource)
            restoring.append((resource, entry))
        }
        guard conflicts.isEmpty else { throw Self.undoConflicts(conflicts, id) }
        // What the undo puts back, by resource: each key, for the parents of restored rows.
        var restored = RestoredRows()
        for (resource, entry) in restoring where entry.action == .delete || entry.action == .trash {
            for row in entry.rows {
                let key = row.key(in: resource)
                restored.any[resource.name, default: KeySet()].insert(key)
                if Self.restoresLive(row, of: resource, entry) { restored.live[resource.name, default: KeySet()].insert(key) }
            }
        }
        for (resource, entry) in restoring {
            let keys = entry.rows.map { $0.key(in: resource) }
            var current = KeyMap<Row>()
            for row in try await rows(of: resource.stored, matching: resource.identity, keys, in: session) { current[row.key(in: resource)] = row }
            switch entry.action {
            case .trash:
                for before in entry.rows {
                    let key = before.key(in: resource)
                    guard let now = current[key] else {
                        conflicts.append(UndoConflict(.deletedSince, resource: resource.name, key: key, "\(resource.name) \(key) has been purged since"))
                        continue
                    }
                    let mark = resource.softDelete.map { before[$0.column] } ?? .null
                    if !resource.isTrashed(now) {
                        conflicts.append(
                            UndoConflict(.undeletedSince, resource: resource.name, key: key, "\(resource.name) \(key) has been taken out of the trash since"))
                    } else if !mark.isNull, let column = resource.softDelete?.column, now[column] != mark {
                        conflicts.append(
                            UndoConflict(
                                .undeletedSince, resource: resource.name, key: key,
                                "\(resource.name) \(key) has been taken out of the trash and deleted again since"))
                    } else if Checksum.of(now, in: resource) != Checksum.of(before, in: resource) {
                        conflicts.append(UndoConflict(.changedSince, resource: resource.name, key: key, "\(resource.name) \(key) has changed since"))
                    }
                }
            case .delete:
                for row in entry.rows where !resource.key.isEmpty {
                    let key = row.key(in: resource)
                    if current[key] != nil {
                        conflicts.append(UndoConflict(.keyTaken, resource: resource.name, key: key, "\(resource.name) \(key) exists again: a newer row holds its key"))
                    }
                }
                for column in resource.columns where column.unique {
                    let values = entry.rows.map { $0[column.name] }.filter { !$0.isNull }
                    guard !values.isEmpty else { continue }
                    for taken in try await session.select(resource, where: RowPredicate([.oneOf(column: column.name, values)])) {
                        let key = taken.key(in: resource)
                        conflicts.append(
                            UndoConflict(
                                .keyTaken, resource: resource.name, key: key,
                                "\(resource.name) \(key) now holds \(column.name) '\(taken[column.name])', which a row to put back had"))
                    }
                }
            case .setNull:
                for before in entry.rows {
                    let key = before.key(in: resource)
                    var expected = before
                    for column in entry.cleared { expected[column] = .null }
                    guard let now = current[key] else {
                        conflicts.append(UndoConflict(.deletedSince, resource: resource.name, key: key, "\(resource.name) \(key) has been deleted since"))
                        continue
                    }
                    if Checksum.of(now, in: resource) != Checksum.of(expected, in: resource) {
                        conflicts.append(UndoConflict(.changedSince, resource: resource.name, key: key, "\(resource.name) \(key) has changed since"))
                    }
                }
            case .restore, .unsetNull, .untrash:
                break
            }
            try await checkParents(of: entry, resource, restored: restored, conflicts: &conflicts, in: session)
        }
        guard conflicts.isEmpty else { throw Self.undoConflicts(conflicts, id) }
        return restoring
    }

    /// True when the undo of `entry` makes `row` live: a row taken out of the trash, or a
    /// deleted row that was live (a row a purge took goes back into the trash).
    static func restoresLive(_ row: Row, of resource: Resource, _ entry: JournalEntry) -> Bool {
        switch entry.action {
        case .trash: true
        case .delete: resource.softDelete.map { row[$0.column].isNull } ?? true
        case .setNull, .restore, .unsetNull, .untrash: false
        }
    }

    /// Adds a `parentMissing` conflict for each row the entry puts back (or each column it sets
    /// back) that names a parent which neither exists nor is put back by the undo. A row put
    /// back live needs, through a cascade or restrict relationship, a live parent (as an
    /// undelete's does: a live row under a parent in the trash would go with the parent's
    /// purge); through a set-null relationship, and for a row put back in the trash, a parent
    /// that exists, in the trash or not.
    private func checkParents(
        of entry: JournalEntry, _ resource: Resource, restored: RestoredRows, conflicts: inout [UndoConflict], in session: any StoreSession
    ) async throws {
        let relationships = schema.references(of: resource.name).filter { relationship in
            entry.action != .setNull || relationship.columns.contains(where: entry.cleared.contains)
        }
        let missing = try await missingParents(
            of: entry.rows, in: resource, through: relationships, restored: restored,
            needsLive: { row, relationship in relationship.onDelete != .setNull && Self.restoresLive(row, of: resource, entry) }, in: session)
        for parent in missing {
            conflicts.append(
                UndoConflict(
                    .parentMissing, resource: resource.name, key: parent.child,
                    "\(resource.name) \(parent.child) points at \(parent.parent.name) \(parent.key), \(parent.inTrash ? "which is in the trash" : "which is gone") and which the undo does not put back"))
        }
    }

    /// The `undoConflict` error of a transaction: the first conflicts listed, all counted.
    static func undoConflicts(_ conflicts: [UndoConflict], _ id: String) -> RestableError {
        var error = RestableError(
            .undoConflict,
            conflicts.count == 1
                ? "transaction \(id) cannot be undone exactly: \(conflicts[0].message); nothing was changed"
                : "transaction \(id) cannot be undone exactly: \(conflicts.count) conflicts, the first: \(conflicts[0].message); nothing was changed",
            count: conflicts.count)
        error.conflicts = Array(conflicts.prefix(100))
        return error
    }
}

/// A request to undo a journaled transaction.
public struct UndoRequest: Sendable {
    public var transaction: String
    /// Checks and applies the undo, reports it, and rolls it back.
    public var dryRun: Bool
    /// How many rows the summary lists (nil: the engine's limit).
    public var summaryLimit: Int?

    public init(transaction: String, dryRun: Bool = false, summaryLimit: Int? = nil) {
        self.transaction = transaction
        self.dryRun = dryRun
        self.summaryLimit = summaryLimit
    }
}

/// Which journaled transactions to list: newest first, `limit` of them, older than `before`
/// (the id of the last one of the previous page) when given.
public struct TransactionQuery: Sendable, Hashable {
    /// The resource a delete addressed (a batch addresses none).
    public var resource: String?
    public var principal: String?
    /// Milliseconds since 1970: at or after.
    public var since: Int64?
    /// Milliseconds since 1970: before.
    public var until: Int64?
    public var limit: Int
    public var before: String?

    public init(resource: String? = nil, principal: String? = nil, since: Int64? = nil, until: Int64? = nil, limit: Int = 50, before: String? = nil) {
        self.resource = resource
        self.principal = principal
        self.since = since
        self.until = until
        self.limit = limit
        self.before = before
    }
}

/// A journaled transaction: what the journal keeps of it besides its rows.
public struct JournaledTransaction: Sendable, Hashable {
    public var id: String
    /// Milliseconds since 1970.
    public var at: Int64
    public var principal: String?
    public var requestID: String?
    /// `delete`, `batch`, `undo`, `purge` or `undelete`.
    public var action: String
    /// The resource a delete addressed.
    public var resource: String?
    public var counts: ChangeCounts
    /// True when every row it touched is journaled (no resource said `journal: false`).
    public var complete: Bool
    /// For an undo: the transaction it undid.
    public var undoOf: String?
    /// The undo that took it back.
    public var undoneBy: String?

    init(_ row: Row) throws(RestableError) {
        func text(_ column: String) -> String? {
            if case .text(let value) = row[column] { return value }
            return nil
        }
        guard let id = text("id"), case .integer(let at) = row["at_ms"], let action = text("action"), let counts = text("counts"),
            case .boolean(let complete) = row["complete"]
        else { throw JournaledTransaction.corrupt }
        self.id = id
        self.at = at
        self.principal = text("principal")
        self.requestID = text("request_id")
        self.action = action
        self.resource = text("resource")
        do {
            self.counts = try TransactionCounts.counts(JournalCodec.decode(counts))
        } catch {
            throw JournaledTransaction.corrupt
        }
        self.complete = complete
        self.undoOf = text("undo_of")
        self.undoneBy = text("undone_by")
    }

    static let corrupt = RestableError(.internalError, "the journal holds a transaction that Restable did not write")
}

/// One statement's worth of a journaled transaction: rows of one resource and what was done.
public struct JournalEntry: Sendable, Hashable {
    public var resource: String
    public var action: JournalAction
    /// The columns the journal holds, in the order it holds them.
    public var columns: [String]
    /// For a set-null (or its undo): the columns set to null (or set back).
    public var cleared: [String]
    /// Each row as it was before the statement (for a restore, as it was put back).
    public var rows: [Row]

    init(_ row: Row) throws(RestableError) {
        guard case .text(let resource) = row["resource"], case .text(let action) = row["action"], let kind = JournalAction(rawValue: action),
            case .text(let columns) = row["columns"], case .text(let rows) = row["rows"]
        else { throw JournaledTransaction.corrupt }
        do {
            let names = try Self.names(columns)
            var cleared: [String] = []
            if case .text(let text) = row["cleared"] { cleared = try Self.names(text) }
            self.resource = resource
            self.action = kind
            self.columns = names
            self.cleared = cleared
            self.rows = try JournalCodec.decode(rows).map { values throws(JournalCorrupt) -> Row in
                guard values.count == names.count else { throw JournalCorrupt() }
                return Row(Dictionary(uniqueKeysWithValues: zip(names, values)))
            }
        } catch {
            throw JournaledTransaction.corrupt
        }
    }

    private static func names(_ text: String) throws(JournalCorrupt) -> [String] {
        let rows = try JournalCodec.decode(text)
        guard rows.count == 1 else { throw JournalCorrupt() }
        return try rows[0].map { value throws(JournalCorrupt) -> String in
            guard case .text(let name) = value else { throw JournalCorrupt() }
            return name
        }
    }
}

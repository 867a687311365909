/// Which deletes the engine journals (see ``Engine/journal``).
public struct JournalSettings: Sendable, Hashable {
    /// Resources that say `journal: false`: their rows are not kept, and a transaction that
    /// touched them cannot be undone.
    public var unjournaled: Set<String>
    /// How long a transaction is kept (`retention`), unless one of its resources says less.
    public var retention: RetentionPeriod
    /// Resources with a `retention` of their own.
    public var retentionByResource: [String: RetentionPeriod]

    public init(unjournaled: Set<String> = [], retention: RetentionPeriod = .standard, retentionByResource: [String: RetentionPeriod] = [:]) {
        self.unjournaled = unjournaled
        self.retention = retention
        self.retentionByResource = retentionByResource
    }

    /// How long a transaction that touched `resources` is kept: the shortest retention among
    /// them, so that no resource's rows outlive its own.
    public func retention(of resources: some Sequence<String>) -> RetentionPeriod {
        resources.map { retentionByResource[$0] ?? retention }.min() ?? retention
    }

    /// The shortest retention of any resource: nothing younger than it is ever purged.
    var shortestRetention: RetentionPeriod {
        retentionByResource.values.reduce(retention, min)
    }
}

/// What a journal entry records.
public enum JournalAction: String, Sendable, Hashable {
    /// Rows deleted, with every value they had.
    case delete = "DELETE"
    /// Rows whose `cleared` columns were set to null, with every value they had before.
    case setNull = "UPDATE"
    /// Rows an undo put back, with the values they were given.
    case restore = "INSERT"
    /// Rows whose columns an undo set back from null, with the values they had before.
    case unsetNull = "RESTORE"
    /// Rows a delete put in the trash (a resource with soft delete), with every value they had.
    case trash = "TRASH"
    /// Rows an undo or an undelete took out of the trash.
    case untrash = "UNTRASH"
}

/// Writes the journal of one write transaction, in that transaction: a failed request, a
/// strict refusal or a dry run rolls its entries back with everything else. It also hands
/// every row a delete removes or detaches to a ``PreviewCapture``, when the request makes or
/// checks a preview.
struct JournalRecorder: Sendable {
    let transaction: String
    /// The journal's settings; nil when nothing is written (a dry run that only previews, or a
    /// server without a journal checking a preview).
    let settings: JournalSettings?
    let capture: PreviewCapture?

    init(transaction: String, settings: JournalSettings?, capture: PreviewCapture? = nil) {
        self.transaction = transaction
        self.settings = settings
        self.capture = capture
    }

    /// True when rows of `resource` are written to the journal.
    func journals(_ resource: Resource) -> Bool {
        settings.map { !$0.unjournaled.contains(resource.name) } ?? false
    }

    /// True when a delete of rows of `resource` must hand them over with every column: they
    /// are journaled, or pinned by a preview.
    func keepsRows(of resource: Resource) -> Bool {
        capture != nil || journals(resource)
    }

    /// Records rows of `resource` (each with every column it stores) as one entry.
    func record(_ action: JournalAction, _ rows: [Row], of resource: Resource, cleared: [String] = [], in session: any StoreSession) async throws {
        guard !rows.isEmpty else { return }
        switch action {
        case .delete: capture?.add(.delete, rows, of: resource)
        case .trash: capture?.add(.trash, rows, of: resource)
        case .setNull: capture?.add(.update, rows, of: resource)
        case .restore, .unsetNull, .untrash: break
        }
        guard journals(resource) else { return }
        // A resource with soft delete keeps its trash column too: a purge's undo puts its rows
        // back in the trash, not among the live ones.
        let names = resource.stored.columns.map(\.name)
        let text = JournalCodec.encode(rows.map { $0.values(of: names) })
        try await write(action, JournaledRows(count: rows.count, text: text), of: resource, cleared: cleared, in: session)
    }

    /// Records rows a store has encoded already (``StoreSession/deleteJournaling(_:where:columns:)``
    /// with the columns ``Resource/stored`` keeps), as one entry. Only for rows no preview pins.
    func record(_ action: JournalAction, encoded rows: JournaledRows, of resource: Resource, in session: any StoreSession) async throws {
        guard rows.count > 0, journals(resource) else { return }
        try await write(action, rows, of: resource, cleared: [], in: session)
    }

    private func write(_ action: JournalAction, _ rows: JournaledRows, of resource: Resource, cleared: [String], in session: any StoreSession) async throws {
        let names = resource.stored.columns.map(\.name)
        var values: [String: Value] = [
            "transaction_id": .text(transaction), "resource": .text(resource.name), "action": .text(action.rawValue),
            "columns": .text(JournalCodec.encode([names.map(Value.text)])), "row_count": .integer(Int64(rows.count)), "rows": .text(rows.text),
        ]
        if !cleared.isEmpty { values["cleared"] = .text(JournalCodec.encode([cleared.map(Value.text)])) }
        try await session.append(RestableTables.journal, values: values)
    }

    /// Writes the transaction's own row, once its entries are written.
    func finish(
        action: String, resource: String?, counts: ChangeCounts, principal: String?, requestID: String?, at: Int64, undoOf: String? = nil,
        in session: any StoreSession
    ) async throws {
        guard let settings else { return }
        let complete = counts.resources.allSatisfy { !settings.unjournaled.contains($0) }
        try await session.append(
            RestableTables.transactions,
            values: [
                "id": .text(transaction), "at_ms": .integer(at), "principal": principal.map(Value.text) ?? .null,
                "request_id": requestID.map(Value.text) ?? .null, "action": .text(action), "resource": resource.map(Value.text) ?? .null,
                "counts": .text(JournalCodec.encode(TransactionCounts.rows(counts))), "row_count": .integer(Int64(counts.total)),
                "complete": .boolean(complete), "undo_of": undoOf.map(Value.text) ?? .null,
            ])
    }
}

/// A transaction's counts as journal rows: `[resource, verb, count]`.
enum TransactionCounts {
    static func rows(_ counts: ChangeCounts) -> [[Value]] {
        counts.resources.flatMap { resource in
            counts.verbs(of: resource).map { verb, count in [.text(resource), .text(verb.rawValue), .integer(Int64(count))] }
        }
    }

    static func counts(_ rows: [[Value]]) throws(JournalCorrupt) -> ChangeCounts {
        var counts = ChangeCounts()
        for row in rows {
            guard row.count == 3, case .text(let resource) = row[0], case .text(let name) = row[1], let verb = ChangeVerb(rawValue: name),
                case .integer(let count) = row[2]
            else { throw JournalCorrupt() }
            counts.add(verb, resource, Int(count))
        }
        return counts
    }
}

/// Transaction ids: the time the transaction began, in milliseconds (13 digits, so that ids
/// sort by that time; two that began in the same millisecond sort at random) and 48 random
/// bits, `1764982800123-3fa9c2b1d07e`.
public enum TransactionID {
    static func make(at milliseconds: Int64) -> String {
        let time = String(max(0, milliseconds))
        var random = String(UInt64.random(in: 0..<(1 << 48)), radix: 16)
        random = String(repeating: "0", count: 12 - random.count) + random
        return String(repeating: "0", count: max(0, 13 - time.count)) + time + "-" + random
    }

    /// True when `text` has the shape of an id (13 digits, a dash, 12 lowercase hex digits).
    public static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 26, bytes[13] == UInt8(ascii: "-") else { return false }
        return bytes[..<13].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && bytes[14...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}

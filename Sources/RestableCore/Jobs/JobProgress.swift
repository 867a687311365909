import Synchronization

/// What a job's transaction is doing now, as a job's status shows it.
public enum JobPhase: String, Sendable, CaseIterable {
    /// Accepted; its transaction has not started yet.
    case queued
    /// Reading: finding the targets, checking them, following relationships.
    case reading
    /// Deleting rows.
    case deleting
    /// Writing rows: setting columns to null, inserting (a batch, an undo).
    case writing
    /// Writing the journal's record of what it changed.
    case journaling
    /// Its transaction is committing.
    case committing
    /// Done (whatever the outcome).
    case finished
}

/// The live progress of one job: its phase and how many rows its transaction has changed so
/// far. Written by the job's transaction (through ``ProgressSession``), read by whoever asks
/// for the job's status; shared across tasks, so it is guarded by a mutex.
public final class JobProgress: Sendable {
    private let state = Mutex<(phase: JobPhase, rows: Int, marked: Bool)>((.queued, 0, false))

    public init() {}

    /// The phase and the rows changed so far.
    public var snapshot: (phase: JobPhase, rows: Int) { state.withLock { ($0.phase, $0.rows) } }

    /// Whether the job's transaction marked the job committed in itself: if that transaction
    /// then committed, its changes are in the database.
    public var marked: Bool { state.withLock { $0.marked } }

    /// A transaction (re)starts: a store that runs its body again (after a deadlock) counts
    /// from zero, since the earlier attempt's changes were rolled back.
    func restart() { state.withLock { $0 = (.reading, 0, false) } }

    func enter(_ phase: JobPhase) { state.withLock { $0.phase = phase } }

    func markCommitting() { state.withLock { $0 = (.committing, $0.rows, true) } }

    func changed(_ rows: Int, in phase: JobPhase) {
        state.withLock { $0 = (phase, $0.rows + rows, $0.marked) }
    }

    /// The job is done.
    public func finish() { state.withLock { $0.phase = .finished } }
}

/// A store session that reports a job's progress and stops it when its task is cancelled:
/// every call checks for cancellation first (so a cancelled job stops at its next statement
/// and its transaction rolls back; the statement already running is bounded by the statement
/// timeout), and every change adds its rows to the count. Rows written to Restable's own
/// tables (the journal) are not counted.
struct ProgressSession: StoreSession {
    let base: any StoreSession
    let progress: JobProgress

    private func check(_ phase: JobPhase) throws {
        try Task.checkCancellation()
        progress.enter(phase)
    }

    private func changed(_ rows: Int, of resource: Resource, _ phase: JobPhase) {
        progress.changed(RestableTables.names.contains(resource.table) ? 0 : rows, in: phase)
    }

    private static func phase(writing resource: Resource) -> JobPhase {
        RestableTables.names.contains(resource.table) ? .journaling : .writing
    }

    func select(_ resource: Resource, where predicate: RowPredicate, order: [SortKey], limit: Int?, offset: Int?) async throws -> [Row] {
        try check(.reading)
        return try await base.select(resource, where: predicate, order: order, limit: limit, offset: offset)
    }

    func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        try check(.reading)
        return try await base.count(resource, where: predicate)
    }

    func insert(_ resource: Resource, values: [String: Value]) async throws -> Row {
        let phase = Self.phase(writing: resource)
        try check(phase)
        let row = try await base.insert(resource, values: values)
        changed(1, of: resource, phase)
        return row
    }

    func append(_ resource: Resource, values: [String: Value]) async throws {
        let phase = Self.phase(writing: resource)
        try check(phase)
        try await base.append(resource, values: values)
        changed(1, of: resource, phase)
    }

    func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int {
        let phase = Self.phase(writing: resource)
        try check(phase)
        let count = try await base.update(resource, where: predicate, set: values)
        changed(count, of: resource, phase)
        return count
    }

    func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        try check(.deleting)
        let count = try await base.delete(resource, where: predicate)
        changed(count, of: resource, .deleting)
        return count
    }

    func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) async throws -> [Row] {
        try check(.deleting)
        let rows = try await base.delete(resource, where: predicate, returning: columns)
        changed(rows.count, of: resource, .deleting)
        return rows
    }

    func deleteJournaling(_ resource: Resource, where predicate: RowPredicate, columns: [Column]) async throws -> JournaledRows {
        try check(.deleting)
        let rows = try await base.deleteJournaling(resource, where: predicate, columns: columns)
        changed(rows.count, of: resource, .deleting)
        return rows
    }

    func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await base.savepoint(body)
    }

    func serialize(on name: String) async throws {
        try Task.checkCancellation()
        try await base.serialize(on: name)
    }
}

/// A back end that holds the rows: SQLite, PostgreSQL, ...
///
/// A store knows nothing of HTTP. It runs each unit of work in one database transaction:
/// ``write(_:)`` commits when the body returns and rolls back when it throws, so that a failed
/// request leaves the database exactly as it was.
public protocol Store: Sendable {
    /// Creates the tables of `schema` that do not exist yet (with their foreign keys), checks
    /// that existing tables have every configured column, and inserts the `seed` rows of the
    /// tables it created, all in one transaction: a failure leaves no table behind. Never drops
    /// or alters anything. Returns the names of the resources whose tables it created.
    func prepare(_ schema: Schema, seed: [InsertPlan]) async throws -> [String]

    /// Runs `body` in a read-only transaction (a consistent snapshot).
    func read<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T

    /// Runs `body` in a read-write transaction that holds the write lock from its first statement:
    /// rows read in it cannot change until it ends.
    func write<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T

    /// ``write(_:)`` in a transaction of its own, never shared with other writes (a long
    /// job's: a store that groups writes into one commit must not hold the others' commit
    /// for as long as it runs, nor make its commit depend on theirs).
    func writeAlone<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T

    /// Closes every connection. The store cannot be used afterwards.
    func close() async

    /// Whether a second write transaction can run while one is open (PostgreSQL), rather than
    /// wait until it ends (SQLite's one writer): a long job's heartbeat needs one.
    var writesConcurrently: Bool { get }
}

/// The operations of one transaction. Every value is bound, never spliced into SQL.
public protocol StoreSession: Sendable {
    /// Rows of `resource` matching `predicate`, in `order` (empty: by key; otherwise it ends
    /// with the identity columns, so that the order is total).
    func select(_ resource: Resource, where predicate: RowPredicate, order: [SortKey], limit: Int?, offset: Int?) async throws -> [Row]
    /// How many rows of `resource` match `predicate`.
    func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int
    /// Inserts one row and returns it as stored (generated values filled in).
    func insert(_ resource: Resource, values: [String: Value]) async throws -> Row
    /// Inserts one row without reading it back (the journal's own rows, written on every delete).
    func append(_ resource: Resource, values: [String: Value]) async throws
    /// Sets `values` on every row matching `predicate`; returns how many changed.
    func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int
    /// Deletes every row matching `predicate`; returns how many went.
    func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int
    /// Deletes every row matching `predicate`; returns each row that went, with only `columns`
    /// (as they were before the delete), in no particular order.
    func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) async throws -> [Row]
    /// Deletes every row matching `predicate`; returns how many went and their text in the
    /// journal (``JournalCodec``), each row with the values of `columns` it had before the delete.
    /// A delete whose rows are only journaled: the store may write the text as it reads the rows.
    func deleteJournaling(_ resource: Resource, where predicate: RowPredicate, columns: [Column]) async throws -> JournaledRows
    /// Runs `body` inside a savepoint: if it throws, what it changed is undone and the
    /// transaction goes on.
    func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T
    /// Waits until no other transaction holds `name`, and holds it until this one ends: a lock
    /// shared by every server on the database (SQLite's write transactions already run one at
    /// a time, so there it does nothing).
    func serialize(on name: String) async throws
}

/// Rows a delete removed, as the journal keeps them: how many, and their ``JournalCodec`` text.
public struct JournaledRows: Sendable {
    public var count: Int
    public var text: String

    public init(count: Int, text: String) {
        self.count = count
        self.text = text
    }
}

extension Store {
    /// A store that never shares a transaction between writes: ``write(_:)``.
    public func writeAlone<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await write(body)
    }
}

extension StoreSession {
    /// The rows ``delete(_:where:returning:)`` returns, encoded.
    public func deleteJournaling(_ resource: Resource, where predicate: RowPredicate, columns: [Column]) async throws -> JournaledRows {
        let rows = try await delete(resource, where: predicate, returning: columns)
        let names = columns.map(\.name)
        return JournaledRows(count: rows.count, text: JournalCodec.encode(rows.map { $0.values(of: names) }))
    }

    /// An insert whose row is not used.
    public func append(_ resource: Resource, values: [String: Value]) async throws {
        _ = try await insert(resource, values: values)
    }

    /// Rows of `resource` matching `predicate`, ordered by key.
    public func select(_ resource: Resource, where predicate: RowPredicate, limit: Int?, offset: Int?) async throws -> [Row] {
        try await select(resource, where: predicate, order: [], limit: limit, offset: offset)
    }

    public func select(_ resource: Resource, where predicate: RowPredicate) async throws -> [Row] {
        try await select(resource, where: predicate, limit: nil, offset: nil)
    }
}

/// How a resource treats optimistic-locking checksums on writes and deletes.
public enum OptimisticLocking: String, Sendable, Hashable, CaseIterable {
    /// Checksums are ignored.
    case off
    /// A checksum, when given, must match; none given is accepted.
    case optional
    /// A checksum (or an explicit override) must be given.
    case required
}

/// Why a resource is served read-only: its rows can be listed (and, with a key, read one by
/// one), never inserted, updated or deleted.
public enum ReadOnlyReason: String, Sendable, Hashable, CaseIterable {
    /// The table has no primary key: its rows have no address.
    case noPrimaryKey
    /// It is a view.
    case view
    /// The configuration says `readOnly: true`.
    case configured

    /// "it has no primary key", ... for messages.
    public var explanation: String {
        switch self {
        case .noPrimaryKey: "it has no primary key"
        case .view: "it is a view"
        case .configured: "the configuration makes it read-only"
        }
    }
}

/// A table served as a REST resource.
///
/// ```swift
/// let customer = Resource(
///     name: "customer", table: "customer", key: ["name"],
///     columns: [Column(name: "name", type: .text), Column(name: "balance", type: .decimal)])
/// ```
public struct Resource: Sendable, Hashable {
    /// The name clients use, unique in the schema.
    public var name: String
    /// The table in the database.
    public var table: String
    /// The primary-key columns, in key order; empty for a table without a primary key (which is
    /// then read-only).
    public var key: [String]
    /// Every column, in declaration order (the order of output).
    public var columns: [Column]
    public var optimisticLocking: OptimisticLocking
    /// Set when the resource is read-only, with the reason; nil when it can be written.
    public var readOnly: ReadOnlyReason?

    public init(
        name: String, table: String? = nil, key: [String], columns: [Column], optimisticLocking: OptimisticLocking = .optional,
        readOnly: ReadOnlyReason? = nil
    ) {
        self.name = name
        self.table = table ?? name
        self.key = key
        self.columns = columns
        self.optimisticLocking = optimisticLocking
        self.readOnly = key.isEmpty ? (readOnly ?? .noPrimaryKey) : readOnly
    }

    /// The columns that tell its rows apart and order them: the key, or every column for a
    /// table without a key.
    public var identity: [String] {
        key.isEmpty ? columnNames : key
    }

    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }

    public var keyColumns: [Column] {
        key.compactMap(column(named:))
    }

    public var columnNames: [String] {
        columns.map(\.name)
    }
}

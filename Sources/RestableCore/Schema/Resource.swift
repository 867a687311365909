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
    /// Set when a delete of its rows puts them in the trash instead of removing them.
    public var softDelete: SoftDelete?

    public init(
        name: String, table: String? = nil, key: [String], columns: [Column], optimisticLocking: OptimisticLocking = .optional,
        readOnly: ReadOnlyReason? = nil, softDelete: SoftDelete? = nil
    ) {
        self.name = name
        self.table = table ?? name
        self.key = key
        self.columns = columns
        self.optimisticLocking = optimisticLocking
        self.readOnly = key.isEmpty ? (readOnly ?? .noPrimaryKey) : readOnly
        self.softDelete = softDelete
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


/// A resource whose deletes keep the rows, in a trash: the delete sets `column` (a timestamp
/// the resource does not serve) on the row and on every row its cascade reaches, all to the
/// same instant; reads, keys and restrict checks see live rows (column null) only, and an
/// undelete or a purge takes rows out of the trash.
public struct SoftDelete: Sendable, Hashable {
    /// The column that holds when the row was deleted; null while it is live.
    public var column: String
    /// How long a row stays in the trash before a purge removes it for good; nil: as long as
    /// the journal keeps the resource's deletes (its `retention`, 30 days unless configured).
    public var retention: RetentionPeriod?

    public init(column: String, retention: RetentionPeriod? = nil) {
        self.column = column
        self.retention = retention
    }
}

extension Resource {
    /// The resource with its trash column as one more (read-only timestamp) column: what the
    /// table holds, for creating it and for statements that read or set the mark. Itself
    /// when the resource keeps no trash.
    public var stored: Resource {
        guard let softDelete else { return self }
        var stored = self
        stored.columns.append(Column(name: softDelete.column, type: .timestamp, readOnly: true))
        return stored
    }

    /// The condition that holds for live rows (not in the trash); nil when it keeps no trash.
    public var live: Condition? {
        softDelete.map { .isNull(column: $0.column, true) }
    }

    /// The condition that holds for rows in the trash; nil when it keeps no trash.
    public var trashed: Condition? {
        softDelete.map { .isNull(column: $0.column, false) }
    }

    /// True when `row`, read through ``stored``, is in the trash.
    public func isTrashed(_ row: Row) -> Bool {
        guard let softDelete else { return false }
        return !row[softDelete.column].isNull
    }
}

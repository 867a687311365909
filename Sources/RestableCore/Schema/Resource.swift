/// How a resource treats optimistic-locking checksums on writes and deletes.
public enum OptimisticLocking: String, Sendable, Hashable, CaseIterable {
    /// Checksums are ignored.
    case off
    /// A checksum, when given, must match; none given is accepted.
    case optional
    /// A checksum (or an explicit override) must be given.
    case required
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
    /// The primary-key columns, in key order.
    public var key: [String]
    /// Every column, in declaration order (the order of output).
    public var columns: [Column]
    public var optimisticLocking: OptimisticLocking

    public init(name: String, table: String? = nil, key: [String], columns: [Column], optimisticLocking: OptimisticLocking = .optional) {
        self.name = name
        self.table = table ?? name
        self.key = key
        self.columns = columns
        self.optimisticLocking = optimisticLocking
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

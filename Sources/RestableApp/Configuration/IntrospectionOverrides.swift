public import RestableCore

/// Where a value stands in a configuration file, for messages (`file:line:column`).
public struct SourceMark: Sendable, Hashable {
    public var line: Int?
    public var column: Int?

    public init(line: Int? = nil, column: Int? = nil) {
        self.line = line
        self.column = column
    }
}

/// A configuration that serves a database as found (`introspect: true`, or `serve --introspect`):
/// the resources come from the database's catalog, and the file only overrides.
public struct IntrospectionSettings: Sendable {
    /// Where the overrides were written, for messages.
    public var file: String
    public var overrides: IntrospectionOverrides
    /// The resource names that mounts (`names:`) refer to, checked once the resources are known.
    public var mountReferences: [(name: String, mark: SourceMark)]

    public init(file: String, overrides: IntrospectionOverrides = IntrospectionOverrides(), mountReferences: [(name: String, mark: SourceMark)] = []) {
        self.file = file
        self.overrides = overrides
        self.mountReferences = mountReferences
    }
}

/// The `overrides` section: what to change in the configuration read from the database.
///
/// ```yaml
/// overrides:
///   hide: [audit_log]                 # tables not served
///   resources:
///     CustomerOrders:                 # by table name
///       name: customer_orders         # the resource's name in URLs
///       hide: [internal_note]         # columns not served
///       optimisticLocking: required
///       readOnly: true
///       journal: false                # its deletes are not journaled
///       retention: 7d                 # or kept in the journal 7 days
///   relationships:
///     - { child: order_line, columns: [order_id], onDelete: restrict }
/// ```
public struct IntrospectionOverrides: Sendable {
    public struct Hidden: Sendable, Hashable {
        public var name: String
        public var mark: SourceMark
        public init(name: String, mark: SourceMark) {
            self.name = name
            self.mark = mark
        }
    }

    public struct ResourceOverride: Sendable {
        /// The table it applies to.
        public var table: String
        public var mark: SourceMark
        public var name: String?
        public var nameMark: SourceMark
        public var hiddenColumns: [Hidden]
        public var optimisticLocking: OptimisticLocking?
        public var readOnly: Bool?
        /// `journal: false`: the resource's deletes are not journaled.
        public var journal: Bool?
        /// The resource's own `retention`.
        public var retention: RetentionPeriod?
        /// `softDelete: { column: deleted_at }`: deletes put rows in the trash, marked in that
        /// column, which the table must have (a nullable timestamp) and which is not served.
        public var softDelete: SoftDelete?
        public var softDeleteMark = SourceMark()

        public init(
            table: String, mark: SourceMark, name: String? = nil, nameMark: SourceMark = SourceMark(), hiddenColumns: [Hidden] = [],
            optimisticLocking: OptimisticLocking? = nil, readOnly: Bool? = nil
        ) {
            self.table = table
            self.mark = mark
            self.name = name
            self.nameMark = nameMark
            self.hiddenColumns = hiddenColumns
            self.optimisticLocking = optimisticLocking
            self.readOnly = readOnly
        }
    }

    public struct RelationshipOverride: Sendable {
        /// The child table and its foreign-key columns: which foreign key of the database.
        public var child: String
        public var columns: [String]
        public var onDelete: ReferentialAction
        public var mark: SourceMark
        public var onDeleteMark: SourceMark

        public init(child: String, columns: [String], onDelete: ReferentialAction, mark: SourceMark, onDeleteMark: SourceMark) {
            self.child = child
            self.columns = columns
            self.onDelete = onDelete
            self.mark = mark
            self.onDeleteMark = onDeleteMark
        }
    }

    public var hiddenTables: [Hidden] = []
    public var resources: [ResourceOverride] = []
    public var relationships: [RelationshipOverride] = []

    public init(hiddenTables: [Hidden] = [], resources: [ResourceOverride] = [], relationships: [RelationshipOverride] = []) {
        self.hiddenTables = hiddenTables
        self.resources = resources
        self.relationships = relationships
    }
}

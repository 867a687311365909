/// What a database holds, as its own catalog describes it: the tables and views of one schema,
/// their columns with the declared type text, keys, unique constraints and foreign keys.
///
/// Neutral: each store reads its own catalog into it (``DatabaseIntrospecting``), and the
/// configuration is built from it without knowing which database it came from.
public struct DatabaseDescription: Sendable, Hashable {
    /// Which database the type names come from.
    public enum Flavor: String, Sendable, Hashable {
        case sqlite
        case postgres
    }

    public var flavor: Flavor
    /// Tables and views, in name order.
    public var tables: [FoundTable]

    public init(flavor: Flavor, tables: [FoundTable]) {
        self.flavor = flavor
        self.tables = tables
    }

    public func table(named name: String) -> FoundTable? {
        tables.first { $0.name == name }
    }
}

/// A table or a view of an existing database.
public struct FoundTable: Sendable, Hashable {
    public var name: String
    public var isView: Bool
    /// In the table's order.
    public var columns: [FoundColumn]
    /// The primary-key columns in key order; empty when the table has none.
    public var primaryKey: [String]
    /// Each unique constraint (or unique index) other than the primary key, its columns in order.
    public var uniqueConstraints: [[String]]
    public var foreignKeys: [FoundForeignKey]

    public init(
        name: String, isView: Bool = false, columns: [FoundColumn], primaryKey: [String] = [], uniqueConstraints: [[String]] = [],
        foreignKeys: [FoundForeignKey] = []
    ) {
        self.name = name
        self.isView = isView
        self.columns = columns
        self.primaryKey = primaryKey
        self.uniqueConstraints = uniqueConstraints
        self.foreignKeys = foreignKeys
    }

    public func column(named name: String) -> FoundColumn? {
        columns.first { $0.name == name }
    }
}

/// A column of an existing table.
public struct FoundColumn: Sendable, Hashable {
    public var name: String
    /// The type as the catalog writes it: `INTEGER`, `varchar(20)`, `int8`, `uuid`, `_int4` (an
    /// array), an enum's name; empty when SQLite declares none.
    public var declaredType: String
    public var nullable: Bool
    /// The database assigns the value: SQLite's `INTEGER PRIMARY KEY` (with or without
    /// AUTOINCREMENT); a PostgreSQL identity column or a `nextval(...)` (serial) default.
    public var generated: Bool
    /// The column has a default value (other than a generated key's).
    public var hasDefault: Bool
    /// The database computes the value (`GENERATED ALWAYS AS (...)`): it cannot be written.
    public var computed: Bool

    public init(name: String, declaredType: String, nullable: Bool = true, generated: Bool = false, hasDefault: Bool = false, computed: Bool = false) {
        self.name = name
        self.declaredType = declaredType
        self.nullable = nullable
        self.generated = generated
        self.hasDefault = hasDefault
        self.computed = computed
    }
}

/// A foreign key of an existing table.
public struct FoundForeignKey: Sendable, Hashable {
    /// What the database does to the child rows when a parent row is deleted.
    public enum Action: String, Sendable, Hashable {
        case cascade, setNull, restrict, noAction, setDefault
    }

    /// The child's columns, in the order of `referencedColumns`.
    public var columns: [String]
    public var referencedTable: String
    public var referencedColumns: [String]
    public var onDelete: Action

    public init(columns: [String], referencedTable: String, referencedColumns: [String], onDelete: Action) {
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
        self.onDelete = onDelete
    }

    /// `CASCADE`, `SET NULL`, `RESTRICT`, `NO ACTION`, `SET DEFAULT` as the catalogs write it;
    /// nil for anything else.
    public static func action(catalogText text: String) -> Action? {
        switch text.uppercased() {
        case "CASCADE": .cascade
        case "SET NULL": .setNull
        case "RESTRICT": .restrict
        case "NO ACTION": .noAction
        case "SET DEFAULT": .setDefault
        default: nil
        }
    }
}

/// A store that can describe the database it is open on. Used at start-up and by the CLI,
/// never on the request path.
public protocol DatabaseIntrospecting: Sendable {
    /// Reads the catalog: every table and view of the served schema (SQLite: the main database,
    /// without its `sqlite_` tables). Changes nothing.
    func describe() async throws -> DatabaseDescription
}

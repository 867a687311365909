public import RestableCore
public import RestableHTTP

/// Everything one configuration file declares: the database, the resources, the mounts, and
/// the rows to load into tables that Restable creates.
public struct Configuration: Sendable {
    /// The database to open.
    public var database: DatabaseLocation
    public var schema: Schema
    public var mounts: [MountConfiguration]
    /// Rows to insert into each resource's table when Restable creates that table, parents first.
    public var seed: [(resource: String, rows: [[String: Value]])]
    /// The largest request body accepted, in bytes (413 beyond it).
    public var maximumBodySize: Int
    /// How many rows a transaction summary lists before it is truncated (counts stay complete).
    public var maximumSummaryRows: Int
    /// Timeouts and the connection cap of the HTTP server (the `server` section).
    public var limits: ServerLimits
    /// Where the configuration came from, for messages (a file path, or "the bundled demo").
    public var source: String

    public init(
        database: DatabaseLocation, schema: Schema, mounts: [MountConfiguration], seed: [(resource: String, rows: [[String: Value]])] = [],
        maximumBodySize: Int = Configuration.defaultMaximumBodySize, maximumSummaryRows: Int = Engine.defaultSummaryLimit,
        limits: ServerLimits = ServerLimits(), source: String
    ) {
        self.database = database
        self.schema = schema
        self.mounts = mounts
        self.seed = seed
        self.maximumBodySize = maximumBodySize
        self.maximumSummaryRows = maximumSummaryRows
        self.limits = limits
        self.source = source
    }

    public static let defaultMaximumBodySize = 16 * 1024 * 1024
}

/// A dialect mounted at a path.
public struct MountConfiguration: Sendable, Hashable {
    public enum DialectKind: String, Sendable, Hashable, CaseIterable {
        case native
        case liveapi
        case autotask
        case buzz
    }

    public var path: String
    public var dialect: DialectKind
    /// Names the dialect uses for resources (`"demo:customer": customer`); by default a resource's own name.
    public var names: [String: String]

    public init(path: String, dialect: DialectKind, names: [String: String] = [:]) {
        self.path = path
        self.dialect = dialect
        self.names = names
    }
}

/// Where the data lives, from a database URL.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// `sqlite:PATH` (relative to the working directory).
    case sqliteFile(String)
    /// `sqlite::memory:`: gone when the server stops.
    case sqliteMemory

    /// Parses `sqlite:PATH` or `sqlite::memory:` (also `sqlite::memory`, which YAML accepts
    /// unquoted); nil for anything else.
    public init?(url: String) {
        guard url.hasPrefix("sqlite:") else { return nil }
        let rest = String(url.dropFirst("sqlite:".count))
        if rest == ":memory:" || rest == ":memory" {
            self = .sqliteMemory
        } else if rest.hasPrefix("//") {
            let path = String(rest.dropFirst(2))
            guard !path.isEmpty else { return nil }
            self = .sqliteFile(path)
        } else {
            guard !rest.isEmpty else { return nil }
            self = .sqliteFile(rest)
        }
    }

    public var description: String {
        switch self {
        case .sqliteFile(let path): "sqlite:\(path)"
        case .sqliteMemory: "sqlite::memory:"
        }
    }
}

/// A configuration that cannot be used: where (file, line, column) and why.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, as compilers print it.
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(message)"
    }
}

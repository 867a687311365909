public import RestableCore
public import RestableHTTP
public import RestablePostgres
public import RestableSQLite

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
    /// `server.host` and `server.port`: where to listen unless a flag or the environment says.
    public var host: String?
    public var port: Int?
    /// The `postgres` section, kept so that a `--database` given later gets the same settings.
    public var postgres: PostgresSettings
    /// The `sqlite` section: how a SQLite database runs.
    public var sqlite = SQLiteSettings()
    /// `server.requestTimeout`: how long a request may run before it is rolled back; nil: no limit.
    public var requestTimeout: Duration? = Engine.defaultRequestTimeout
    /// `server.jobTimeout`: how long a job (`Prefer: respond-async`) may run before it is
    /// rolled back; nil: no limit.
    public var jobTimeout: Duration? = JobRunner.defaultTimeout
    /// Where the configuration came from, for messages (a file path, or "the bundled demo").
    public var source: String
    /// Set when the resources are to be read from the database (`introspect: true`): then
    /// ``schema`` is empty until ``Introspection/resolve(_:with:)`` fills it.
    public var introspection: IntrospectionSettings?
    /// The `security` section, if any: mounts with `authentication` need it.
    public var security: SecurityConfiguration?
    /// The roles of ``security`` checked against the schema (empty until the schema is known).
    public var accessRules = AccessRules()
    /// The journal of deletes (`journal`, `retention`, and each resource's own): on unless the
    /// configuration says `journal: false`.
    public var journal: JournalSettings? = JournalSettings()
    /// `server.purgeInterval`: how often a server removes what is past its retention; nil: never
    /// (then `restable purge` does it).
    public var purgeInterval: Duration? = Configuration.defaultPurgeInterval

    /// `previewRetention`: how long a dry run's preview of a delete is kept for the delete
    /// that commits it (default one day).
    public var previewRetention = Configuration.defaultPreviewRetention
    /// `server.metrics`: whether `/metrics` serves the server's counters (default true).
    public var metrics = true
    /// `server.lab`: whether `/lab` serves the REST Lab page (default true).
    public var lab = true
    /// `server.logFormat`: one line of text per log entry, or one JSON object (default text).
    public var logFormat = LogFormat.text

    /// How log entries are written.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// swift-log's line of text: time, level, label, message and metadata.
        case text
        /// One JSON object a line (``JSONLogHandler``).
        case json
    }

    public static let defaultPurgeInterval = Duration.seconds(3600)
    public static let defaultPreviewRetention = RetentionPeriod(parsing: "1d")!

    public init(
        database: DatabaseLocation, schema: Schema, mounts: [MountConfiguration], seed: [(resource: String, rows: [[String: Value]])] = [],
        maximumBodySize: Int = Configuration.defaultMaximumBodySize, maximumSummaryRows: Int = Engine.defaultSummaryLimit,
        limits: ServerLimits = ServerLimits(), postgres: PostgresSettings = PostgresSettings(), source: String
    ) {
        self.database = database
        self.schema = schema
        self.mounts = mounts
        self.seed = seed
        self.maximumBodySize = maximumBodySize
        self.maximumSummaryRows = maximumSummaryRows
        self.limits = limits
        self.postgres = postgres
        self.source = source
    }

    public static let defaultMaximumBodySize = 16 * 1024 * 1024
}

/// The `sqlite` section of a configuration.
public struct SQLiteSettings: Sendable, Hashable {
    /// `statementTimeout`: how long one SQLite statement may run; nil: no limit.
    public var statementTimeout: Duration? = SQLiteStore.defaultStatementTimeout
    /// `synchronous`: when a commit is durable (`normal` or `full`).
    public var synchronous = SQLiteStore.Synchronous.normal

    public init() {}
}

/// The `postgres` section of a configuration: how the pool reaches a PostgreSQL database.
public struct PostgresSettings: Sendable, Hashable {
    public var poolSize = PostgresLocation.defaultPoolSize
    public var connectTimeout = PostgresLocation.defaultConnectTimeout
    public var statementTimeout = PostgresLocation.defaultStatementTimeout
    /// The schema served (`public` unless set).
    public var schema = "public"
    public init() {}

    /// A location with these settings (a SQLite location is returned as it is).
    public func applied(to location: DatabaseLocation) -> DatabaseLocation {
        guard case .postgres(var postgres) = location else { return location }
        postgres.poolSize = poolSize
        if postgres.connectTimeout == PostgresLocation.defaultConnectTimeout { postgres.connectTimeout = connectTimeout }
        postgres.statementTimeout = statementTimeout
        postgres.schema = schema
        return .postgres(postgres)
    }
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
    /// How callers present credentials; empty: the mount serves everyone, unrestricted.
    public var authentication: [MountSecurity.Method] = []
    /// Serve without authentication on any address (`anonymous: true`); without it, a mount
    /// without authentication is served on a loopback address only.
    public var anonymous = false
    /// Requests per second per credential (`rateLimit`; 0: no limit).
    public var rateLimit: Double = MountConfiguration.defaultRateLimit
    /// The largest request body this mount accepts (`maxBodySize`); nil: `server.maxBodySize`.
    public var maximumBodySize: Int?
    /// How many keys (or batch operations) one request may name (`maxKeysPerRequest`).
    public var maximumKeys = Engine.defaultMaximumKeys

    public static let defaultRateLimit: Double = 100

    public init(path: String, dialect: DialectKind, names: [String: String] = [:]) {
        self.path = path
        self.dialect = dialect
        self.names = names
    }

    /// The methods a dialect's clients can use.
    public var acceptedMethods: [MountSecurity.Method] {
        switch dialect {
        case .native, .liveapi: [.apiKey, .jwt]
        case .autotask: [.apiUser]
        case .buzz: [.session]
        }
    }
}

/// Where the data lives, from a database URL.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// `sqlite:PATH` (relative to the working directory).
    case sqliteFile(String)
    /// `sqlite::memory:`: gone when the server stops.
    case sqliteMemory
    /// `postgres://user:password@host:port/database?sslmode=...`.
    case postgres(PostgresLocation)

    /// Parses `sqlite:PATH`, `sqlite::memory:` (also `sqlite::memory`, which YAML accepts
    /// unquoted) or a `postgres://` URL; nil for anything else.
    public init?(url: String) {
        guard let location = try? Self.parse(url) else { return nil }
        self = location
    }

    /// Parses a database URL, or says what is wrong with it (never repeating a password).
    public static func parse(_ url: String) throws(ConfigurationError) -> DatabaseLocation {
        if PostgresLocation.isPostgresURL(url) {
            do {
                return .postgres(try PostgresLocation(url: url))
            } catch {
                throw ConfigurationError(file: "", message: "invalid PostgreSQL URL: \(error.description)")
            }
        }
        guard url.hasPrefix("sqlite:") else {
            throw ConfigurationError(
                file: "", message: "unsupported database URL: use sqlite:PATH, \"sqlite::memory:\" or postgres://user:password@host:5432/database")
        }
        let rest = String(url.dropFirst("sqlite:".count))
        if rest == ":memory:" || rest == ":memory" { return .sqliteMemory }
        let path = rest.hasPrefix("//") ? String(rest.dropFirst(2)) : rest
        guard !path.isEmpty else { throw ConfigurationError(file: "", message: "sqlite: needs a file path (sqlite:restable.sqlite)") }
        return .sqliteFile(path)
    }

    /// The URL, with a PostgreSQL password replaced by `***`.
    public var description: String {
        switch self {
        case .sqliteFile(let path): "sqlite:\(path)"
        case .sqliteMemory: "sqlite::memory:"
        case .postgres(let location): location.description
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

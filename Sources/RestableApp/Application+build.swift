import Foundation
public import Hummingbird
public import Logging
public import RestableCore
public import RestableHTTP
import RestableAuth
import RestablePostgres
import RestableSQLite
import ServiceLifecycle

/// How to serve: where to listen, and what to tell once listening.
public struct ServeOptions: Sendable {
    public var host: String
    /// 0 picks a free port; the port in use is passed to `onListening`.
    public var port: Int
    public var logger: Logger
    /// Called once the server accepts connections, with the port it listens on.
    public var onListening: @Sendable (Int) async -> Void

    public init(host: String = "127.0.0.1", port: Int = 8080, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.logger = logger
        self.onListening = onListening
    }
}

/// Opens the configured store, creates missing tables (loading seed rows into the ones it
/// creates, in the same transaction), and builds the engine. The one place where a store is chosen.
public func buildEngine(_ configuration: Configuration, logger: Logger) async throws -> (Engine, any Store) {
    try await buildEngine(configuration, store: openStore(for: configuration, logger: logger), logger: logger)
}

/// The store for a database location (not yet prepared).
/// - Parameter sqlite: how SQLite runs (statement timeout, durability of a commit); PostgreSQL's
///   settings are part of its location.
public func openStore(_ location: DatabaseLocation, sqlite: SQLiteSettings = SQLiteSettings(), logger: Logger) throws -> any Store {
    switch location {
    case .sqliteFile(let path):
        try SQLiteStore(.file(path), statementTimeout: sqlite.statementTimeout, synchronous: sqlite.synchronous, logger: logger)
    case .sqliteMemory:
        try SQLiteStore(.memory, statementTimeout: sqlite.statementTimeout, synchronous: sqlite.synchronous, logger: logger)
    case .postgres(let location): PostgresStore(location, logger: logger)
    }
}

/// The store of a configuration: one that must exist already when it is introspected.
public func openStore(for configuration: Configuration, logger: Logger) throws -> any Store {
    configuration.introspection != nil
        ? try openExistingStore(configuration.database, sqlite: configuration.sqlite, logger: logger)
        : try openStore(configuration.database, sqlite: configuration.sqlite, logger: logger)
}

/// A SQLite file that does not exist: introspection reads an existing database and must not
/// create an empty one.
public struct MissingDatabaseError: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "cannot open the SQLite database '\(path)': there is no such file (introspection reads an existing database)" }
}

/// The store for a database that must already exist (introspection): a SQLite file is not created.
public func openExistingStore(_ location: DatabaseLocation, sqlite: SQLiteSettings = SQLiteSettings(), logger: Logger) throws -> any Store {
    if case .sqliteFile(let path) = location, !FileManager.default.fileExists(atPath: path) { throw MissingDatabaseError(path: path) }
    return try openStore(location, sqlite: sqlite, logger: logger)
}

/// The configuration with its resources read from the database when it says `introspect: true`
/// (the warnings of the introspection are logged); any other configuration as it is.
public func introspected(_ configuration: Configuration, store: any Store, logger: Logger) async throws -> Configuration {
    guard configuration.introspection != nil else { return configuration }
    guard let catalog = store as? any DatabaseIntrospecting else {
        throw RestableError(.internalError, "this store cannot read its database's catalog")
    }
    var (resolved, warnings) = try Introspection.resolve(configuration, with: try await catalog.describe())
    for warning in warnings { logger.warning("\(warning)") }
    if let security = resolved.security { resolved.accessRules = try security.rules(for: resolved.schema) }
    return resolved
}

/// Restable's own tables that a configuration needs: the hourly row budget's ledger when a role
/// has `maxRowsPerHour`, the sessions when a mount signs callers in, the journal unless it is off.
func ownTables(_ configuration: Configuration) -> Schema {
    var tables: [Resource] = []
    var relationships: [Relationship] = []
    if configuration.security?.needsRowBudgetTable == true { tables.append(RestableTables.rowBudget) }
    if configuration.mounts.contains(where: { $0.authentication.contains(.session) }) { tables.append(RestableTables.sessions) }
    if configuration.journal != nil {
        tables += RestableTables.journalSchema.resources
        relationships += RestableTables.journalSchema.relationships
    }
    if configuration.mounts.contains(where: { $0.dialect == .native }) { tables += [RestableTables.previews, RestableTables.jobs] }
    return Schema(resources: tables, relationships: relationships)
}

/// Resources whose rows the journal cannot put back exactly, each with the reason: a column
/// served as text (`asText`: a uuid, jsonb or blob kept as its text), or a table with columns
/// that are not served (hidden, or not declared), whose values the journal would not have.
func unrestorable(_ schema: Schema, in store: any Store) async throws -> [(String, String)] {
    var found: [(String, String)] = []
    var description: DatabaseDescription?
    if let catalog = store as? any DatabaseIntrospecting { description = try await catalog.describe() }
    for resource in schema.resources where resource.readOnly == nil {
        if let column = resource.columns.first(where: \.readAsText) {
            found.append((resource.name, "its column \(column.name) is served as text (asText), which cannot be written back"))
        } else if let table = description?.table(named: resource.table) {
            let unserved = table.columns.map(\.name).filter { name in !resource.stored.columns.contains { $0.name == name } }
            if !unserved.isEmpty {
                found.append((resource.name, "its table has columns that are not served (\(unserved.joined(separator: ", "))), whose values the journal would not keep"))
            }
        }
    }
    return found
}

/// The engine of a configuration over a store that is already open (closed here if preparing
/// it fails). An introspected configuration is resolved first (see ``introspected(_:store:logger:)``).
public func buildEngine(_ configuration: Configuration, store: any Store, logger: Logger) async throws -> (Engine, any Store) {
    do {
        let configuration = try await introspected(configuration, store: store, logger: logger)
        var engine = Engine(
            schema: configuration.schema, store: store, summaryLimit: configuration.maximumSummaryRows, logger: logger)
        engine.requestTimeout = configuration.requestTimeout
        var seed: [InsertPlan] = []
        for resource in configuration.schema.parentsFirst {
            for rows in configuration.seed where rows.resource == resource.name {
                for row in rows.rows { seed.append(try engine.planner.plan(CreateRequest(resource: resource.name, values: row))) }
            }
        }
        let created = try await store.prepare(configuration.schema, seed: seed)
        if !created.isEmpty {
            logger.info("created tables", metadata: ["resources": "\(created.joined(separator: ", "))"])
        }
        let own = ownTables(configuration)
        if !own.resources.isEmpty {
            let made = try await store.prepare(own, seed: [])
            if !made.isEmpty { logger.info("created Restable's own tables", metadata: ["tables": "\(made.joined(separator: ", "))"]) }
        }
        if var journal = configuration.journal {
            for (resource, reason) in try await unrestorable(configuration.schema, in: store) where !journal.unjournaled.contains(resource) {
                journal.unjournaled.insert(resource)
                logger.warning("\(resource): its deletes are not journaled and cannot be undone: \(reason)")
            }
            engine.journal = journal
        }
        if own.resources.contains(where: { $0.name == RestableTables.previews.name }) { engine.previewRetention = configuration.previewRetention }
        return (engine, store)
    } catch {
        await store.close()
        throw error
    }
}

/// The dialect mounts of a configuration, over one engine, each with its security.
public func buildMounts(_ configuration: Configuration, engine: Engine, jobs: JobRunner? = nil) async throws -> [DialectMount] {
    var verifier: JWTVerifier?
    if let settings = configuration.security?.jwt, configuration.mounts.contains(where: { $0.authentication.contains(.jwt) }) {
        verifier = try await JWTVerifier(settings)
    }
    for mount in configuration.mounts where mount.dialect == .native {
        let served = ResourceNames(mount.names).served(in: configuration.schema)
        for (word, route) in [(NativeDialect.transactionsSegment, "the journal's"), (NativeDialect.jobsSegment, "the jobs'")]
        where served.contains(where: { $0.name == word }) {
            throw ConfigurationError(
                file: configuration.source,
                message: "the native mount \(mount.path) would serve a resource named '\(word)', which is \(route) path there; serve it under another name (names:)")
        }
    }
    // One runner for every native mount: the jobs of this process.
    let jobs = jobs ?? JobRunner(timeout: configuration.jobTimeout)
    return configuration.mounts.map { mount in
        let names = ResourceNames(mount.names)
        var engine = engine
        engine.maximumKeys = mount.maximumKeys
        var security: MountSecurity?
        if !mount.authentication.isEmpty, let section = configuration.security {
            security = MountSecurity(
                methods: mount.authentication, rules: configuration.accessRules, apiKeys: APIKeyRing(section.apiKeys), users: section.users,
                jwt: mount.authentication.contains(.jwt) ? verifier : nil, sessionLifetime: section.sessionLifetime,
                rateLimit: mount.rateLimit > 0 ? RateLimiter(requestsPerSecond: mount.rateLimit) : nil, realm: mount.path,
                liveAPIKeys: mount.dialect == .liveapi)
        }
        let dialect: any Dialect =
            switch mount.dialect {
            case .native: NativeDialect(engine: engine, names: names, jobs: jobs)
            case .liveapi: LiveAPIDialect(engine: engine, names: names)
            case .autotask: AutotaskDialect(engine: engine, names: names)
            case .buzz:
                BuzzDialect(
                    engine: engine, names: names,
                    signIn: mount.authentication.contains(.session)
                        ? BuzzSignIn(users: configuration.security?.users ?? [], lifetime: configuration.security?.sessionLifetime ?? 0) : nil)
            }
        return DialectMount(path: mount.path, dialect: dialect, security: security, maximumBodySize: mount.maximumBodySize)
    }
}

/// A configuration that would serve a mount without authentication on an address other than
/// loopback, when the mount does not say `anonymous: true`.
public struct OpenMountError: Error, CustomStringConvertible {
    public var host: String
    public var mounts: [String]
    public var description: String {
        "\(host) is not a loopback address, and \(mounts.count == 1 ? "the mount" : "the mounts") \(mounts.joined(separator: ", ")) \(mounts.count == 1 ? "has" : "have") no authentication; give \(mounts.count == 1 ? "it" : "each") 'authentication' (docs/security.md), or say 'anonymous: true' to serve \(mounts.count == 1 ? "it" : "them") to anyone who reaches the port"
    }
}

/// True for an address only this machine reaches: `localhost`, `127.0.0.0/8`, `::1`.
public func isLoopback(_ host: String) -> Bool {
    let host = host.lowercased()
    return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
}

/// Refuses to serve open mounts beyond loopback (``OpenMountError``).
func refuseOpenMounts(_ configuration: Configuration, host: String) throws {
    guard !isLoopback(host) else { return }
    let refused = configuration.mounts.filter { $0.authentication.isEmpty && !$0.anonymous }.map(\.path)
    if !refused.isEmpty { throw OpenMountError(host: host, mounts: refused) }
}

/// Refuses to serve open mounts beyond loopback (``OpenMountError``), and says in the log which
/// mounts serve everyone.
func checkOpenMounts(_ configuration: Configuration, host: String, logger: Logger) throws {
    try refuseOpenMounts(configuration, host: host)
    for mount in configuration.mounts where mount.authentication.isEmpty {
        logger.notice(
            "\(mount.path) serves everyone without authentication\(mount.anonymous ? " (anonymous: true)" : " (on loopback only)")",
            metadata: ["host": "\(host)"])
    }
}

/// The whole application: store, engine, dialects and HTTP server. The CLI and the tests both
/// call this; the store closes when the application shuts down.
public func buildApplication(_ configuration: Configuration, options: ServeOptions) async throws -> some ApplicationProtocol {
    // Before the store opens, so that a refused start leaves no new database file behind.
    try refuseOpenMounts(configuration, host: options.host)
    return try await buildApplication(configuration, store: openStore(for: configuration, logger: options.logger), options: options)
}

/// The application of a configuration over a store that is already open.
public func buildApplication(_ given: Configuration, store: any Store, options: ServeOptions) async throws -> some ApplicationProtocol {
    let configuration: Configuration
    do {
        configuration = try await introspected(given, store: store, logger: options.logger)
    } catch {
        await store.close()
        throw error
    }
    do {
        try checkOpenMounts(configuration, host: options.host, logger: options.logger)
    } catch {
        await store.close()
        throw error
    }
    let (engine, store) = try await buildEngine(configuration, store: store, logger: options.logger)
    warnAboutUndeletableResources(configuration, logger: options.logger)
    ensureFileDescriptors(for: configuration.limits, logger: options.logger)
    let metrics = configuration.metrics ? ServerMetrics() : nil
    if let metrics {
        switch configuration.database {
        case .sqliteFile: metrics.connections(SQLiteStore.defaultReaders + 1)
        case .sqliteMemory: metrics.connections(1)
        case .postgres: metrics.connections(configuration.postgres.poolSize)
        }
    }
    var observed = engine
    observed.observer = metrics
    let jobs = JobRunner(timeout: configuration.jobTimeout, maximumJobs: maximumJobs(configuration))
    let mounts: [DialectMount]
    do {
        mounts = try await buildMounts(configuration, engine: observed, jobs: jobs)
    } catch {
        await store.close()
        throw error
    }
    let responder = RestableResponder(mounts: mounts, maximumBodySize: configuration.maximumBodySize, logger: options.logger, metrics: metrics,
        lab: configuration.lab)
    let onListening = options.onListening
    return Application(
        responder: responder,
        // The connection guard answers `Expect: 100-continue` for the largest body any mount takes;
        // the responder then holds each mount to its own maximum.
        server: .restable(
            limits: configuration.limits,
            maximumBodySize: configuration.mounts.compactMap(\.maximumBodySize).reduce(configuration.maximumBodySize, max)),
        configuration: .init(address: .hostname(options.host, port: options.port), serverName: "Restable"),
        services: [StoreCloser(store: store, jobs: jobs, wait: configuration.limits.shutdownTimeout)] + purger(configuration, engine: engine, logger: options.logger),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? options.port) },
        logger: options.logger)
}

/// How many jobs one server runs at once: on PostgreSQL each holds a connection of the pool for
/// as long as it runs, so at most half the pool (the rest serves requests and heartbeats).
func maximumJobs(_ configuration: Configuration) -> Int {
    guard case .postgres(let location) = configuration.database else { return JobRunner.defaultMaximumJobs }
    return min(JobRunner.defaultMaximumJobs, max(1, location.poolSize / 2))
}

/// Autotask and Buzz clients cannot send a checksum, so a resource with required locking
/// mounted under those dialects can never be deleted there: say so at start-up.
func warnAboutUndeletableResources(_ configuration: Configuration, logger: Logger) {
    for mount in configuration.mounts where mount.dialect == .autotask || mount.dialect == .buzz {
        for (name, resource) in ResourceNames(mount.names).served(in: configuration.schema)
        where resource.optimisticLocking == .required && resource.readOnly == nil {
            logger.warning(
                "\(name) under \(mount.path) can never be deleted there: \(resource.name) requires a checksum, which the \(mount.dialect.rawValue) dialect cannot send")
        }
    }
}

/// The background purge of a configuration that keeps a journal or a trash, and a `purgeInterval`.
func purger(_ configuration: Configuration, engine: Engine, logger: Logger) -> [any Service] {
    guard configuration.journal != nil || configuration.schema.keepsTrash, let interval = configuration.purgeInterval else { return [] }
    return [RetentionPurger(engine: engine, interval: interval, logger: logger)]
}

/// Removes what is past its retention every `interval` (the first time a minute after start,
/// or sooner for a shorter interval), until the server stops. A failed purge is logged and
/// tried again at the next interval; several servers may purge the same database.
struct RetentionPurger: Service {
    let engine: Engine
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var wait = min(interval, .seconds(60))
        while true {
            do {
                // Throws when the server stops (the sleep is cancelled).
                try await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
            } catch {
                return
            }
            if engine.journal != nil {
                do {
                    _ = try await engine.purgeJournal()
                } catch {
                    logger.error("the journal's purge failed; it runs again in \(interval)", metadata: ["error": "\(error.message)"])
                }
            }
            if engine.schema.keepsTrash {
                do {
                    _ = try await engine.purgeTrash()
                } catch {
                    logger.error("the trash's purge failed; it runs again in \(interval)", metadata: ["error": "\(error.message)"])
                }
            }
            wait = interval
        }
    }
}

/// Closes the store after the server has stopped (services stop in reverse order of start),
/// once the jobs still running have been cancelled and rolled back (for at most `wait`).
struct StoreCloser: Service {
    let store: any Store
    let jobs: JobRunner
    let wait: Duration

    func run() async throws {
        try? await gracefulShutdown()
        await jobs.stopAll(wait: wait)
        await store.close()
    }
}

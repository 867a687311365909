public import Hummingbird
public import Logging
public import RestableCore
public import RestableHTTP
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
    try await buildEngine(configuration, store: openStore(configuration.database, logger: logger), logger: logger)
}

/// The store for a database location (not yet prepared).
public func openStore(_ location: DatabaseLocation, logger: Logger) throws -> any Store {
    switch location {
    case .sqliteFile(let path): try SQLiteStore(.file(path), logger: logger)
    case .sqliteMemory: try SQLiteStore(.memory, logger: logger)
    case .postgres(let location): PostgresStore(location, logger: logger)
    }
}

/// The engine of a configuration over a store that is already open (closed here if preparing
/// it fails).
public func buildEngine(_ configuration: Configuration, store: any Store, logger: Logger) async throws -> (Engine, any Store) {
    do {
        let engine = Engine(
            schema: configuration.schema, store: store, summaryLimit: configuration.maximumSummaryRows, logger: logger)
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
        return (engine, store)
    } catch {
        await store.close()
        throw error
    }
}

/// The dialect mounts of a configuration, over one engine.
public func buildMounts(_ configuration: Configuration, engine: Engine) -> [DialectMount] {
    configuration.mounts.map { mount in
        switch mount.dialect {
        case .native: DialectMount(path: mount.path, dialect: NativeDialect(engine: engine, names: ResourceNames(mount.names)))
        case .liveapi: DialectMount(path: mount.path, dialect: LiveAPIDialect(engine: engine, names: ResourceNames(mount.names)))
        case .autotask: DialectMount(path: mount.path, dialect: AutotaskDialect(engine: engine, names: ResourceNames(mount.names)))
        case .buzz: DialectMount(path: mount.path, dialect: BuzzDialect(engine: engine, names: ResourceNames(mount.names)))
        }
    }
}

/// The whole application: store, engine, dialects and HTTP server. The CLI and the tests both
/// call this; the store closes when the application shuts down.
public func buildApplication(_ configuration: Configuration, options: ServeOptions) async throws -> some ApplicationProtocol {
    try await buildApplication(configuration, store: openStore(configuration.database, logger: options.logger), options: options)
}

/// The application of a configuration over a store that is already open.
public func buildApplication(_ configuration: Configuration, store: any Store, options: ServeOptions) async throws -> some ApplicationProtocol {
    let (engine, store) = try await buildEngine(configuration, store: store, logger: options.logger)
    warnAboutUndeletableResources(configuration, logger: options.logger)
    ensureFileDescriptors(for: configuration.limits, logger: options.logger)
    let responder = RestableResponder(
        mounts: buildMounts(configuration, engine: engine), maximumBodySize: configuration.maximumBodySize, logger: options.logger)
    let onListening = options.onListening
    return Application(
        responder: responder,
        server: .restable(limits: configuration.limits, maximumBodySize: configuration.maximumBodySize),
        configuration: .init(address: .hostname(options.host, port: options.port), serverName: "Restable"),
        services: [StoreCloser(store: store)],
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? options.port) },
        logger: options.logger)
}

/// Autotask and Buzz clients cannot send a checksum, so a resource with required locking
/// mounted under those dialects can never be deleted there: say so at start-up.
func warnAboutUndeletableResources(_ configuration: Configuration, logger: Logger) {
    for mount in configuration.mounts where mount.dialect == .autotask || mount.dialect == .buzz {
        for (name, resource) in ResourceNames(mount.names).served(in: configuration.schema) where resource.optimisticLocking == .required {
            logger.warning(
                "\(name) under \(mount.path) can never be deleted there: \(resource.name) requires a checksum, which the \(mount.dialect.rawValue) dialect cannot send")
        }
    }
}

/// Closes the store after the server has stopped (services stop in reverse order of start).
struct StoreCloser: Service {
    let store: any Store

    func run() async throws {
        try? await gracefulShutdown()
        await store.close()
    }
}

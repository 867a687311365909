import Foundation
import Logging
import RestableApp
import RestableCore
import RestableTestSupport

/// The back ends the conformance suite runs on.
enum StoreKind: String, CaseIterable, Sendable {
    case sqliteMemory
    case sqliteFile
    /// A scratch schema in the database that `RESTABLE_POSTGRES_URL` names.
    case postgres

    /// The kinds this run can use: PostgreSQL only when `RESTABLE_POSTGRES_URL` is set.
    static var available: [StoreKind] {
        PostgresScratch.isAvailable ? allCases : [.sqliteMemory, .sqliteFile]
    }

    /// The kinds that keep data in a file or a server (for tests about what survives a restart).
    static var durable: [StoreKind] { available.filter { $0 != .sqliteMemory } }

    /// A fresh, empty store of this kind for `configuration`, whose `database:` it replaces.
    func store(for configuration: inout Configuration, logger: Logger) async throws -> (any Store, URL?) {
        switch self {
        case .sqliteMemory:
            configuration.database = .sqliteMemory
            return (try openStore(.sqliteMemory, logger: logger), nil)
        case .sqliteFile:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            configuration.database = .sqliteFile(folder.appendingPathComponent("demo.sqlite").path)
            return (try openStore(configuration.database, logger: logger), folder)
        case .postgres:
            let store = try await ScratchPostgresStore.create(logger: logger)
            configuration.database = .postgres(store.scratch.location)
            return (store, nil)
        }
    }
}

/// A fresh demo database (the bundled configuration, seeded) on one back end.
struct DemoStore {
    let engine: Engine
    let store: any Store
    let directory: URL?

    static func open(_ kind: StoreKind) async throws -> DemoStore {
        var configuration = try DemoConfiguration.load()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (opened, directory) = try await kind.store(for: &configuration, logger: logger)
        let (engine, store) = try await buildEngine(configuration, store: opened, logger: logger)
        return DemoStore(engine: engine, store: store, directory: directory)
    }

    func close() async {
        await store.close()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Every row of a resource, for before/after comparisons.
    func rows(_ resource: String) async throws -> [Row] {
        try await engine.list(ListRequest(resource: resource))
    }

    /// Every row of every resource.
    func snapshot() async throws -> [String: [Row]] {
        var snapshot: [String: [Row]] = [:]
        for resource in engine.schema.resources { snapshot[resource.name] = try await rows(resource.name) }
        return snapshot
    }

    func row(_ resource: String, _ parts: String...) async throws -> Row {
        try await engine.get(resource: resource, key: .parts(parts))
    }

    func checksum(_ resource: String, _ parts: String...) async throws -> String {
        let row = try await engine.get(resource: resource, key: .parts(parts))
        return Checksum.of(row, in: engine.schema.resource(named: resource)!)
    }
}

/// Runs `body` against a fresh demo store and closes it afterwards.
func withDemo(_ kind: StoreKind, _ body: (DemoStore) async throws -> Void) async throws {
    let demo = try await DemoStore.open(kind)
    do {
        try await body(demo)
    } catch {
        await demo.close()
        throw error
    }
    await demo.close()
}

extension DemoStore {
    /// Opens the same file database again, as a restarted server would.
    static func reopen(_ demo: DemoStore) async throws -> DemoStore {
        var configuration = try DemoConfiguration.load()
        configuration.database = .sqliteFile(demo.directory!.appendingPathComponent("demo.sqlite").path)
        let (engine, store) = try await buildEngine(configuration, logger: Logger(label: "test"))
        return DemoStore(engine: engine, store: store, directory: demo.directory)
    }
}

extension StoreKind {
    /// An engine over a configuration of the test's own (its `database:` replaced by a fresh
    /// database of this kind), with its tables created and seeded.
    func open(_ yaml: String) async throws -> (Engine, any Store) {
        var configuration = try ConfigurationLoader.parse(yaml, file: "test.yaml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (store, _) = try await store(for: &configuration, logger: logger)
        return try await buildEngine(configuration, store: store, logger: logger)
    }
}

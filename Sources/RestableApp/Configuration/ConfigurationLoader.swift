import Foundation
public import RestableCore
import RestableHTTP
import RestableSQLite
import Yams

/// Reads a YAML configuration, checking every part and naming the line of each problem.
///
/// Unknown keys are errors (a misspelt `onDelete` must not silently become a default).
public struct ConfigurationLoader {
    let file: String

    /// Loads the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses configuration text; `file` names it in messages.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> Configuration {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.yamlError(error, file: file)
        } catch {
            throw ConfigurationError(file: file, message: "invalid YAML: \(error)")
        }
        guard let node else { throw ConfigurationError(file: file, line: 1, message: "the file is empty") }
        return try ConfigurationLoader(file: file).configuration(node)
    }

    static func yamlError(_ error: YamlError, file: String) -> ConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigurationError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigurationError(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "\(names) appear\(duplicates.count == 1 ? "s" : "") more than once in the same mapping")
        default:
            return ConfigurationError(file: file, message: "invalid YAML: \(error)")
        }
    }

    func error(_ node: Node?, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: node?.mark?.line, column: node?.mark?.column, message: message)
    }

    /// The members of a mapping, refusing keys outside `allowed`.
    func members(_ node: Node, _ what: String, allowed: Set<String>? = nil) throws(ConfigurationError) -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else { throw error(node, "\(what) must be a mapping") }
        var result: [(String, Node, Node)] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else { throw error(keyNode, "keys of \(what) must be names") }
            if let allowed, !allowed.contains(key) {
                throw error(keyNode, "unknown key '\(key)' in \(what); expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else { throw error(keyNode, "'\(key)' appears twice in \(what)") }
            result.append((key, keyNode, value))
        }
        return result
    }

    func string(_ node: Node, _ what: String) throws(ConfigurationError) -> String {
        guard let scalar = node.scalar, !scalar.string.isEmpty else { throw error(node, "\(what) must be a non-empty text") }
        return scalar.string
    }

    /// A list of names, or one name standing for a list of one.
    func names(_ node: Node, _ what: String) throws(ConfigurationError) -> [String] {
        if case .sequence(let sequence) = node {
            var names: [String] = []
            for item in sequence { names.append(try string(item, what)) }
            guard !names.isEmpty else { throw error(node, "\(what) must name at least one column") }
            return names
        }
        return [try string(node, what)]
    }

    func configuration(_ root: Node) throws(ConfigurationError) -> Configuration {
        let top = try members(root, "the configuration", allowed: [
                "database", "postgres", "sqlite", "server", "resources", "relationships", "mounts", "seed", "introspect", "overrides", "security",
                "journal", "retention", "previewRetention",
            ])
        func section(_ name: String) -> (Node, Node)? {
            top.first { $0.0 == name }.map { ($0.1, $0.2) }
        }
        guard let (_, databaseNode) = section("database") else {
            throw error(root, "the configuration needs a 'database' (for example sqlite:restable.sqlite)")
        }
        let url = try string(databaseNode, "database")
        var database: DatabaseLocation
        do {
            database = try DatabaseLocation.parse(url)
        } catch {
            throw self.error(databaseNode, error.message)
        }
        var postgres = PostgresSettings()
        if let (_, node) = section("postgres") { postgres = try postgresSettings(node) }
        var sqlite = SQLiteSettings()
        if let (_, node) = section("sqlite") {
            for (key, _, value) in try members(node, "sqlite", allowed: ["statementTimeout", "synchronous"]) {
                switch key {
                case "synchronous":
                    guard let text = value.scalar?.string, let setting = SQLiteStore.Synchronous(rawValue: text) else {
                        throw error(value, "synchronous must be normal or full")
                    }
                    sqlite.synchronous = setting
                default:
                    sqlite.statementTimeout = value.scalar?.string == "0" ? nil : try seconds(value, "statementTimeout")
                }
            }
        }
        var requestTimeout: Duration? = Engine.defaultRequestTimeout
        var jobTimeout: Duration? = JobRunner.defaultTimeout
        database = postgres.applied(to: database)
        var introspection: IntrospectionSettings?
        if let (_, node) = section("introspect") {
            switch node.scalar?.string {
            case "true": introspection = IntrospectionSettings(file: file)
            case "false": break
            default: throw error(node, "introspect must be true or false")
            }
        }
        if let (keyNode, node) = section("overrides") {
            guard introspection != nil else {
                throw error(keyNode, "'overrides' change what is read from the database: they need 'introspect: true'")
            }
            introspection?.overrides = try overrides(node)
        }
        var journal = try journalSettings(journal: section("journal")?.1, retention: section("retention")?.1)
        if journal == nil, let override = introspection?.overrides.resources.first(where: { $0.journal != nil || $0.retention != nil }) {
            throw error(
                section("overrides")?.1,
                "the override of '\(override.table)' sets its journal or retention, which 'journal: false' at the top turns off (line \(override.mark.line ?? 0))")
        }
        var schema = Schema(resources: [])
        if introspection != nil {
            for name in ["resources", "relationships", "seed"] {
                if let (keyNode, _) = section(name) {
                    throw error(
                        keyNode,
                        "with 'introspect: true' the resources and relationships come from the database, and Restable loads no seed; '\(name)' is not allowed (use 'overrides')")
                }
            }
        } else {
            guard let (_, resourcesNode) = section("resources") else { throw error(root, "the configuration needs 'resources' (or 'introspect: true')") }
            var resources: [Resource] = []
            var resourceNodes: [String: Node] = [:]
            for (name, keyNode, value) in try members(resourcesNode, "resources") {
                resources.append(try resource(name, value))
                resourceNodes[name] = keyNode
                try journalParts(of: name, value, into: &journal)
            }
            guard !resources.isEmpty else { throw error(resourcesNode, "'resources' declares no resource") }
            var tables = Set<String>()
            for resource in resources where !tables.insert(resource.table).inserted {
                throw error(resourceNodes[resource.name], "two resources use the table '\(resource.table)'")
            }
            var relationships: [Relationship] = []
            if let (_, node) = section("relationships") {
                guard case .sequence(let sequence) = node else { throw error(node, "'relationships' must be a list") }
                for item in sequence { relationships.append(try relationship(item, resources: resources)) }
            }
            schema = Schema(resources: resources, relationships: relationships)
            if let (resource, message) = Self.softDeleteProblem(in: schema) { throw error(resourceNodes[resource], message) }
        }
        var mounts: [MountConfiguration] = []
        if let (_, node) = section("mounts") {
            guard case .sequence(let sequence) = node else { throw error(node, "'mounts' must be a list") }
            for item in sequence {
                mounts.append(try mount(item, schema: introspection == nil ? schema : nil, references: &introspection))
            }
        } else {
            mounts = [MountConfiguration(path: "/api", dialect: .native)]
        }
        var seen = Set<String>()
        // Ignoring case: an Autotask mount matches its path in any case, as the vendor's URLs do.
        for (mount, node) in zip(mounts, mountNodes(section("mounts")?.1)) where !seen.insert(mount.path.lowercased()).inserted {
            throw error(node, "two mounts use the path '\(mount.path)' (paths are compared ignoring case)")
        }
        var security: SecurityConfiguration?
        if let (_, node) = section("security") { security = try self.security(node) }
        for (mount, node) in zip(mounts, mountNodes(section("mounts")?.1)) {
            try checkAuthentication(mount, node, security: security)
        }
        var maximumBodySize = Configuration.defaultMaximumBodySize
        var maximumSummaryRows = Engine.defaultSummaryLimit
        var limits = ServerLimits()
        var purgeInterval: Duration? = Configuration.defaultPurgeInterval
        let keepsTrash =
            schema.keepsTrash || introspection?.overrides.resources.contains { $0.softDelete != nil } == true
        var host: String?
        var port: Int?
        var metrics = true
        var lab = true
        var logFormat = Configuration.LogFormat.text
        if let (_, node) = section("server") {
            let allowed: Set<String> = [
                "maxBodySize", "maxSummaryRows", "maxConnections", "headerTimeout", "bodyTimeout", "idleTimeout", "shutdownTimeout",
                "requestTimeout", "host", "port", "purgeInterval", "metrics", "lab", "logFormat",
                "jobTimeout",
            ]
            for (key, _, value) in try members(node, "server", allowed: allowed) {
                switch key {
                case "host": host = try string(value, "host")
                case "port":
                    guard let number = value.scalar.flatMap({ Int($0.string) }), (0...65535).contains(number) else {
                        throw error(value, "port must be a port number from 0 to 65535")
                    }
                    port = number
                case "headerTimeout": limits.headerTimeout = try seconds(value, key)
                case "bodyTimeout": limits.bodyTimeout = try seconds(value, key)
                case "idleTimeout": limits.idleTimeout = try seconds(value, key)
                case "shutdownTimeout": limits.shutdownTimeout = try seconds(value, key)
                case "requestTimeout": requestTimeout = value.scalar?.string == "0" ? nil : try seconds(value, key)
                case "jobTimeout": jobTimeout = value.scalar?.string == "0" ? nil : try seconds(value, key)
                case "metrics": metrics = try boolean(value, key)
                case "lab": lab = try boolean(value, key)
                case "logFormat":
                    guard let format = value.scalar.flatMap({ Configuration.LogFormat(rawValue: $0.string) }) else {
                        throw error(value, "logFormat must be text or json")
                    }
                    logFormat = format
                case "purgeInterval":
                    guard journal != nil || keepsTrash else {
                        throw error(value, "purgeInterval is for the journal, which 'journal: false' turns off, and for the trash, which no resource keeps")
                    }
                    purgeInterval = value.scalar?.string == "0" ? nil : try period(value, key).duration
                default:
                    guard let number = value.scalar.flatMap({ Int($0.string) }), number >= 0 else {
                        throw error(value, "\(key) must be a whole number, zero or more")
                    }
                    switch key {
                    case "maxBodySize":
                        guard number > 0 else { throw error(value, "maxBodySize must be a positive number of bytes") }
                        maximumBodySize = number
                    case "maxConnections":
                        guard number > 0 else { throw error(value, "maxConnections must be a positive number of connections") }
                        limits.maximumConnections = number
                    default:
                        maximumSummaryRows = number
                    }
                }
            }
        }
        var seed: [(resource: String, rows: [[String: Value]])] = []
        if let (_, node) = section("seed") {
            for (name, keyNode, value) in try members(node, "seed") {
                guard let resource = schema.resource(named: name) else {
                    throw error(keyNode, "seed names '\(name)', which is not a resource")
                }
                seed.append((name, try rows(value, of: resource, schema: schema)))
            }
        }
        var configuration = Configuration(
            database: database, schema: schema, mounts: mounts, seed: seed, maximumBodySize: maximumBodySize,
            maximumSummaryRows: maximumSummaryRows, limits: limits, postgres: postgres, source: file)
        configuration.host = host
        configuration.port = port
        configuration.sqlite = sqlite
        configuration.requestTimeout = requestTimeout
        configuration.jobTimeout = jobTimeout
        configuration.metrics = metrics
        configuration.lab = lab
        configuration.logFormat = logFormat
        configuration.introspection = introspection
        configuration.security = security
        configuration.journal = journal
        if let (_, node) = section("previewRetention") { configuration.previewRetention = try period(node, "previewRetention") }
        configuration.purgeInterval = journal == nil && !keepsTrash ? nil : purgeInterval
        if introspection == nil, let security { configuration.accessRules = try security.rules(for: schema) }
        return configuration
    }

    /// The `postgres` section: the pool's size, its timeouts and the schema served.
    private func postgresSettings(_ node: Node) throws(ConfigurationError) -> PostgresSettings {
        var settings = PostgresSettings()
        for (key, _, value) in try members(node, "postgres", allowed: ["poolSize", "connectTimeout", "statementTimeout", "schema"]) {
            switch key {
            case "poolSize":
                guard let number = value.scalar.flatMap({ Int($0.string) }), (1...1000).contains(number) else {
                    throw error(value, "poolSize must be a whole number of connections from 1 to 1000")
                }
                settings.poolSize = number
            case "connectTimeout": settings.connectTimeout = try seconds(value, key)
            case "statementTimeout":
                if value.scalar?.string == "0" {
                    settings.statementTimeout = .zero
                } else {
                    settings.statementTimeout = try seconds(value, key)
                }
            default: settings.schema = try string(value, "schema")
            }
        }
        return settings
    }

    /// A duration in seconds: a positive number, a fraction allowed (`0.5`), at most a day.
    func seconds(_ node: Node, _ key: String, maximum: Double = 86_400) throws(ConfigurationError) -> Duration {
        guard let text = node.scalar?.string, let number = Double(text), number.isFinite, number > 0, number <= maximum else {
            throw error(node, "\(key) must be a number of seconds, more than 0 and at most \(Int(maximum))")
        }
        return .milliseconds(max(1, Int64((number * 1000).rounded())))
    }

    private func mountNodes(_ node: Node?) -> [Node] {
        guard case .sequence(let sequence)? = node else { return [] }
        return Array(sequence)
    }

    /// Why a schema's soft deletes cannot work, with the resource to blame: a resource with a
    /// trash whose cascade reaches one without (its delete would have to remove rows for good
    /// that an undelete could not bring back). Nil when they can.
    static func softDeleteProblem(in schema: Schema) -> (resource: String, message: String)? {
        for relationship in schema.relationships where relationship.onDelete == .cascade {
            guard let parent = schema.resource(named: relationship.parent), parent.softDelete != nil,
                let child = schema.resource(named: relationship.child), child.softDelete == nil
            else { continue }
            return (
                parent.name,
                "'\(parent.name)' has softDelete, so its cascade to '\(child.name)' (\(relationship.columns.joined(separator: ", "))) must put rows in the trash too: give '\(child.name)' a softDelete as well, or make the relationship restrict or setNull"
            )
        }
        return nil
    }
}

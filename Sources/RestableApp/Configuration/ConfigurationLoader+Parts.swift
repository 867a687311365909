import RestableAuth
import RestableCore
import RestableHTTP
import Yams

/// The parts of a configuration: resources, columns, relationships, mounts and seed rows.
extension ConfigurationLoader {
    func resource(_ name: String, _ node: Node) throws(ConfigurationError) -> Resource {
        let parts = try members(node, "resource '\(name)'", allowed: ["table", "key", "columns", "optimisticLocking", "readOnly", "journal", "retention", "softDelete"])
        func part(_ key: String) -> Node? { parts.first { $0.0 == key }?.2 }
        guard let columnsNode = part("columns") else { throw error(node, "resource '\(name)' needs 'columns'") }
        var columns: [Column] = []
        for (columnName, _, spec) in try members(columnsNode, "the columns of '\(name)'") {
            columns.append(try column(columnName, spec, resource: name))
        }
        guard let keyNode = part("key") else {
            throw error(node, "resource '\(name)' needs a 'key' (its primary-key columns; [] for a table without one, served read-only)")
        }
        var key: [String] = []
        if case .sequence(let sequence) = keyNode, sequence.isEmpty {
            key = []
        } else {
            key = try names(keyNode, "the key of '\(name)'")
        }
        for column in key where !columns.contains(where: { $0.name == column }) {
            throw error(keyNode, "the key of '\(name)' names '\(column)', which is not one of its columns")
        }
        guard Set(key).count == key.count else { throw error(keyNode, "the key of '\(name)' repeats a column") }
        for column in columns where column.generated {
            guard key == [column.name], column.type == .integer else {
                throw error(columnsNode, "only a single integer key column can be 'generated' ('\(column.name)' of '\(name)')")
            }
        }
        var locking = OptimisticLocking.optional
        if let lockingNode = part("optimisticLocking") {
            let text = try string(lockingNode, "optimisticLocking")
            guard let value = OptimisticLocking(rawValue: text) else {
                throw error(lockingNode, "optimisticLocking must be off, optional or required, not '\(text)'")
            }
            locking = value
        }
        var readOnly: ReadOnlyReason? = key.isEmpty ? .noPrimaryKey : nil
        if let readOnlyNode = part("readOnly") {
            switch readOnlyNode.scalar?.string {
            case "true": readOnly = readOnly ?? .configured
            case "view": readOnly = .view
            case "false":
                guard !key.isEmpty else { throw error(readOnlyNode, "'\(name)' has no key ([]), so it is read-only") }
            default: throw error(readOnlyNode, "readOnly must be true, false or view")
            }
        }
        var table = name
        if let tableNode = part("table") { table = try string(tableNode, "table") }
        var softDelete: SoftDelete?
        if let node = part("softDelete") {
            softDelete = try self.softDelete(node, of: name, served: columns.map(\.name))
            if readOnly != nil { throw error(node, "'\(name)' is read-only, so its rows are never deleted: softDelete means nothing") }
        }
        return Resource(name: name, table: table, key: key, columns: columns, optimisticLocking: locking, readOnly: readOnly, softDelete: softDelete)
    }

    /// `softDelete: { column: deleted_at, retention: 30d }`: the trash column, which the resource
    /// does not serve (so it is none of `served`), and how long a row stays in the trash
    /// (unless given: the journal's retention for the resource, 30 days unless configured).
    func softDelete(_ node: Node, of resource: String, served: [String]) throws(ConfigurationError) -> SoftDelete {
        guard case .mapping = node else {
            throw error(node, "softDelete of '\(resource)' must be a mapping such as { column: deleted_at }")
        }
        let parts = try members(node, "softDelete of '\(resource)'", allowed: ["column", "retention"])
        guard let columnNode = parts.first(where: { $0.0 == "column" })?.2 else {
            throw error(node, "softDelete of '\(resource)' needs 'column': the timestamp column that marks a row deleted")
        }
        let column = try string(columnNode, "column")
        guard !column.isEmpty else { throw error(columnNode, "the softDelete column of '\(resource)' needs a name") }
        guard !served.contains(column) else {
            throw error(
                columnNode,
                "'\(column)' is the softDelete column of '\(resource)', which Restable keeps to itself: do not declare it among its columns")
        }
        var retention: RetentionPeriod?
        if let node = parts.first(where: { $0.0 == "retention" })?.2 { retention = try period(node, "retention") }
        return SoftDelete(column: column, retention: retention)
    }

    /// `integer generated`, `text unique required`, or a mapping `{type:, generated:, unique:, required:}`.
    func column(_ name: String, _ node: Node, resource: String) throws(ConfigurationError) -> Column {
        var words: [String]
        if case .mapping = node {
            words = []
            var typeName: String?
            for (key, _, value) in try members(node, "column '\(name)'", allowed: ["type", "generated", "unique", "required", "readOnly", "asText"]) {
                if key == "type" {
                    typeName = try string(value, "type")
                } else if value.scalar?.string == "true" {
                    words.append(key)
                } else if value.scalar?.string != "false" {
                    throw error(value, "\(key) must be true or false")
                }
            }
            words.insert(typeName ?? "", at: 0)
        } else {
            words = try string(node, "the type of '\(name)'").split(separator: " ").map(String.init)
        }
        guard let typeName = words.first, let type = ColumnType(rawValue: typeName) else {
            throw error(
                node,
                "column '\(name)' of '\(resource)' has no known type; use one of: \(ColumnType.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        var column = Column(name: name, type: type)
        for word in words.dropFirst() {
            switch word {
            case "generated": column.generated = true
            case "unique": column.unique = true
            case "required": column.required = true
            case "readOnly": column.readOnly = true
            case "asText":
                column.readAsText = true
                column.readOnly = true
            default: throw error(node, "unknown column modifier '\(word)' on '\(name)'; expected generated, unique, required, readOnly or asText")
            }
        }
        if column.readAsText, column.type != .text {
            throw error(node, "'asText' reads a column of a type Restable does not know as its text: '\(name)' must then be of type text")
        }
        return column
    }

    func relationship(_ node: Node, resources: [Resource]) throws(ConfigurationError) -> Relationship {
        let parts = try members(node, "a relationship", allowed: ["parent", "child", "columns", "onDelete"])
        func part(_ key: String) throws(ConfigurationError) -> Node {
            guard let found = parts.first(where: { $0.0 == key })?.2 else { throw error(node, "a relationship needs '\(key)'") }
            return found
        }
        let parentNode = try part("parent")
        let childNode = try part("child")
        let parentName = try string(parentNode, "parent")
        let childName = try string(childNode, "child")
        guard let parent = resources.first(where: { $0.name == parentName }) else {
            throw error(parentNode, "relationship parent '\(parentName)' is not a resource")
        }
        guard let child = resources.first(where: { $0.name == childName }) else {
            throw error(childNode, "relationship child '\(childName)' is not a resource")
        }
        let columnsNode = try part("columns")
        let columns = try names(columnsNode, "relationship columns")
        if let repeated = columns.first(where: { name in columns.filter { $0 == name }.count > 1 }) {
            throw error(columnsNode, "relationship columns name '\(repeated)' more than once; each key column of \(parentName) needs its own column")
        }
        guard columns.count == parent.key.count else {
            throw error(
                columnsNode, "\(childName) references \(parentName) with \(columns.count) column(s), but its key has \(parent.key.count)")
        }
        for (name, keyColumn) in zip(columns, parent.keyColumns) {
            guard let column = child.column(named: name) else {
                throw error(columnsNode, "'\(name)' is not a column of '\(childName)'")
            }
            guard column.type == keyColumn.type else {
                throw error(
                    columnsNode,
                    "'\(childName).\(name)' is \(column.type.rawValue) but references '\(parentName).\(keyColumn.name)', which is \(keyColumn.type.rawValue)"
                )
            }
        }
        let actionNode = try part("onDelete")
        let actionName = try string(actionNode, "onDelete")
        guard let action = ReferentialAction(rawValue: actionName) else {
            throw error(actionNode, "onDelete must be restrict, cascade or setNull, not '\(actionName)'")
        }
        if action == .setNull {
            for name in columns where child.key.contains(name) || child.column(named: name)?.required == true {
                throw error(actionNode, "onDelete setNull needs nullable columns, but '\(childName).\(name)' is required or part of the key")
            }
        }
        return Relationship(parent: parentName, child: childName, columns: columns, onDelete: action)
    }

    /// A mount; its `names` are checked against `schema`, or, for an introspected configuration
    /// (no schema yet), recorded in `references` to be checked once the database is read.
    /// The `overrides` of an introspected configuration: `hide`, `resources`, `relationships`.
    func overrides(_ node: Node) throws(ConfigurationError) -> IntrospectionOverrides {
        var overrides = IntrospectionOverrides()
        func mark(_ node: Node) -> SourceMark { SourceMark(line: node.mark?.line, column: node.mark?.column) }
        func hidden(_ node: Node, _ what: String) throws(ConfigurationError) -> [IntrospectionOverrides.Hidden] {
            let items: [Node]
            if case .sequence(let sequence) = node { items = Array(sequence) } else { items = [node] }
            var hidden: [IntrospectionOverrides.Hidden] = []
            for item in items { hidden.append(.init(name: try string(item, what), mark: mark(item))) }
            return hidden
        }
        for (key, _, value) in try members(node, "overrides", allowed: ["hide", "resources", "relationships"]) {
            switch key {
            case "hide":
                overrides.hiddenTables = try hidden(value, "a table to hide")
            case "resources":
                for (table, tableNode, spec) in try members(value, "the resources of overrides") {
                    var override = IntrospectionOverrides.ResourceOverride(table: table, mark: mark(tableNode), nameMark: mark(tableNode))
                    for (part, _, partValue) in try members(spec, "the override of '\(table)'", allowed: ["name", "hide", "optimisticLocking", "readOnly", "journal", "retention", "softDelete"]) {
                        switch part {
                        case "softDelete":
                            override.softDelete = try softDelete(partValue, of: table, served: [])
                            override.softDeleteMark = mark(partValue)
                        case "journal": override.journal = try boolean(partValue, "journal")
                        case "retention": override.retention = try period(partValue, "retention")
                        case "name":
                            override.name = try string(partValue, "name")
                            override.nameMark = mark(partValue)
                        case "hide": override.hiddenColumns = try hidden(partValue, "a column to hide")
                        case "optimisticLocking":
                            let text = try string(partValue, "optimisticLocking")
                            guard let locking = OptimisticLocking(rawValue: text) else {
                                throw error(partValue, "optimisticLocking must be off, optional or required, not '\(text)'")
                            }
                            override.optimisticLocking = locking
                        default:
                            switch partValue.scalar?.string {
                            case "true": override.readOnly = true
                            case "false": override.readOnly = false
                            default: throw error(partValue, "readOnly must be true or false")
                            }
                        }
                    }
                    overrides.resources.append(override)
                }
            default:
                guard case .sequence(let sequence) = value else { throw error(value, "the relationships of overrides must be a list") }
                for item in sequence {
                    let parts = try members(item, "a relationship override", allowed: ["child", "columns", "onDelete"])
                    func part(_ key: String) throws(ConfigurationError) -> Node {
                        guard let found = parts.first(where: { $0.0 == key })?.2 else { throw error(item, "a relationship override needs '\(key)'") }
                        return found
                    }
                    let child = try string(try part("child"), "child")
                    let columns = try names(try part("columns"), "relationship columns")
                    let actionNode = try part("onDelete")
                    let actionName = try string(actionNode, "onDelete")
                    guard let action = ReferentialAction(rawValue: actionName) else {
                        throw error(actionNode, "onDelete must be restrict, cascade or setNull, not '\(actionName)'")
                    }
                    overrides.relationships.append(
                        .init(child: child, columns: columns, onDelete: action, mark: mark(item), onDeleteMark: mark(actionNode)))
                }
            }
        }
        return overrides
    }

    func mount(_ node: Node, schema: Schema?, references: inout IntrospectionSettings?) throws(ConfigurationError) -> MountConfiguration {
        let parts = try members(node, "a mount", allowed: ["path", "dialect", "names", "authentication", "anonymous", "rateLimit", "maxBodySize", "maxKeysPerRequest"])
        guard let pathNode = parts.first(where: { $0.0 == "path" })?.2 else { throw error(node, "a mount needs a 'path'") }
        var path = try string(pathNode, "path")
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let lowered = path.lowercased()
        guard path.hasPrefix("/"), path != "/health", path != "/metrics", lowered != "/lab", !lowered.hasPrefix("/lab/") else {
            throw error(pathNode, "a mount path starts with '/' and is neither /health, /metrics nor /lab or a path under it (the server's own routes)")
        }
        guard let dialectNode = parts.first(where: { $0.0 == "dialect" })?.2 else { throw error(node, "a mount needs a 'dialect'") }
        let dialectName = try string(dialectNode, "dialect")
        guard let dialect = MountConfiguration.DialectKind(rawValue: dialectName) else {
            throw error(
                dialectNode,
                "unknown dialect '\(dialectName)'; this version serves: \(MountConfiguration.DialectKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        var names: [String: String] = [:]
        if let namesNode = parts.first(where: { $0.0 == "names" })?.2 {
            for (name, _, value) in try members(namesNode, "names") {
                let resource = try string(value, "a resource name")
                if let schema {
                    guard schema.resource(named: resource) != nil else { throw error(value, "'\(resource)' is not a resource") }
                } else {
                    references?.mountReferences.append((resource, SourceMark(line: value.mark?.line, column: value.mark?.column)))
                }
                names[name] = resource
            }
        }
        var mount = MountConfiguration(path: path, dialect: dialect, names: names)
        if let node = parts.first(where: { $0.0 == "authentication" })?.2 {
            for name in try self.names(node, "authentication") {
                guard let method = MountSecurity.Method(rawValue: name), mount.acceptedMethods.contains(method) else {
                    throw error(
                        node,
                        "a \(dialect.rawValue) mount authenticates with \(mount.acceptedMethods.map(\.rawValue).joined(separator: " or ")), not '\(name)'")
                }
                if !mount.authentication.contains(method) { mount.authentication.append(method) }
            }
        }
        if let node = parts.first(where: { $0.0 == "anonymous" })?.2 {
            switch node.scalar?.string {
            case "true": mount.anonymous = true
            case "false": mount.anonymous = false
            default: throw error(node, "anonymous must be true or false")
            }
            if mount.anonymous, !mount.authentication.isEmpty {
                throw error(node, "a mount with authentication is not anonymous; leave out one of them")
            }
        }
        if let node = parts.first(where: { $0.0 == "rateLimit" })?.2 {
            guard let text = node.scalar?.string, let number = Double(text), number.isFinite, number >= 0, number <= 1_000_000 else {
                throw error(node, "rateLimit must be a number of requests per second per credential (0: no limit)")
            }
            mount.rateLimit = number
        }
        if let node = parts.first(where: { $0.0 == "maxBodySize" })?.2 {
            guard let number = node.scalar.flatMap({ Int($0.string) }), number > 0 else {
                throw error(node, "maxBodySize must be a positive number of bytes")
            }
            mount.maximumBodySize = number
        }
        if let node = parts.first(where: { $0.0 == "maxKeysPerRequest" })?.2 {
            guard let number = node.scalar.flatMap({ Int($0.string) }), (1...100_000_000).contains(number) else {
                throw error(node, "maxKeysPerRequest must be a whole number of keys from 1 to 100000000")
            }
            mount.maximumKeys = number
        }
        return mount
    }

    /// A mount's methods need what they check: keys, users or JWT settings; a Buzz mount whose
    /// callers sign in cannot also serve resources named login or logout.
    func checkAuthentication(_ mount: MountConfiguration, _ node: Node, security: SecurityConfiguration?) throws(ConfigurationError) {
        for method in mount.authentication {
            let missing: String? =
                switch method {
                case .apiKey: security?.apiKeys.isEmpty == false ? nil : "security.apiKeys"
                case .jwt: security?.jwt == nil ? "security.jwt" : nil
                case .apiUser: security?.apiKeys.contains { $0.userName != nil } == true ? nil : "an API key with userName and integrationCode"
                case .session: security?.users.isEmpty == false ? nil : "security.users"
                }
            if let missing { throw error(node, "mount \(mount.path) authenticates with \(method.rawValue), which needs \(missing)") }
        }
        if mount.authentication.contains(.session), let name = ["login", "logout"].first(where: { mount.names[$0] != nil }) {
            throw error(node, "mount \(mount.path) signs callers in at \(mount.path)/\(name), so no resource may be named '\(name)' there")
        }
    }

    /// Seed rows, each checked as an insert would be (types, required columns), so that a bad row
    /// stops start-up before any table is created.
    func rows(_ node: Node, of resource: Resource, schema: Schema) throws(ConfigurationError) -> [[String: Value]] {
        guard case .sequence(let sequence) = node else { throw error(node, "seed rows of '\(resource.name)' must be a list") }
        var rows: [[String: Value]] = []
        for item in sequence {
            var row: [String: Value] = [:]
            for (name, keyNode, valueNode) in try members(item, "a seed row of '\(resource.name)'") {
                guard let column = resource.column(named: name) else {
                    throw error(keyNode, "'\(name)' is not a column of '\(resource.name)'")
                }
                guard let scalar = valueNode.scalar else { throw error(valueNode, "'\(name)' must be a single value") }
                if scalar.style == .plain, ["null", "~", ""].contains(scalar.string) {
                    row[name] = .null
                } else if let value = column.type.parse(scalar.string) {
                    row[name] = value
                } else {
                    throw error(valueNode, "'\(name)' expects \(column.type.articleName), got '\(scalar.string)'")
                }
            }
            do {
                _ = try Planner(schema: schema).plan(CreateRequest(resource: resource.name, values: row))
            } catch {
                throw self.error(item, "seed row of '\(resource.name)': \(error.message)")
            }
            rows.append(row)
        }
        return rows
    }
}

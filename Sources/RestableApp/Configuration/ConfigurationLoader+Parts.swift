import RestableCore
import Yams

/// The parts of a configuration: resources, columns, relationships, mounts and seed rows.
extension ConfigurationLoader {
    func resource(_ name: String, _ node: Node) throws(ConfigurationError) -> Resource {
        let parts = try members(node, "resource '\(name)'", allowed: ["table", "key", "columns", "optimisticLocking"])
        func part(_ key: String) -> Node? { parts.first { $0.0 == key }?.2 }
        guard let columnsNode = part("columns") else { throw error(node, "resource '\(name)' needs 'columns'") }
        var columns: [Column] = []
        for (columnName, _, spec) in try members(columnsNode, "the columns of '\(name)'") {
            columns.append(try column(columnName, spec, resource: name))
        }
        guard let keyNode = part("key") else { throw error(node, "resource '\(name)' needs a 'key' (its primary-key columns)") }
        let key = try names(keyNode, "the key of '\(name)'")
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
        var table = name
        if let tableNode = part("table") { table = try string(tableNode, "table") }
        return Resource(name: name, table: table, key: key, columns: columns, optimisticLocking: locking)
    }

    /// `integer generated`, `text unique required`, or a mapping `{type:, generated:, unique:, required:}`.
    func column(_ name: String, _ node: Node, resource: String) throws(ConfigurationError) -> Column {
        var words: [String]
        if case .mapping = node {
            words = []
            var typeName: String?
            for (key, _, value) in try members(node, "column '\(name)'", allowed: ["type", "generated", "unique", "required"]) {
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
            default: throw error(node, "unknown column modifier '\(word)' on '\(name)'; expected generated, unique or required")
            }
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

    func mount(_ node: Node, schema: Schema) throws(ConfigurationError) -> MountConfiguration {
        let parts = try members(node, "a mount", allowed: ["path", "dialect", "names"])
        guard let pathNode = parts.first(where: { $0.0 == "path" })?.2 else { throw error(node, "a mount needs a 'path'") }
        var path = try string(pathNode, "path")
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard path.hasPrefix("/"), path != "/health" else { throw error(pathNode, "a mount path starts with '/' and is not /health") }
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
                guard schema.resource(named: resource) != nil else { throw error(value, "'\(resource)' is not a resource") }
                names[name] = resource
            }
        }
        return MountConfiguration(path: path, dialect: dialect, names: names)
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

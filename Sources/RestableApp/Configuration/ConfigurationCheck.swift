public import RestableCore

/// Compares a configuration with the database it will serve: what `restable check` prints.
public enum ConfigurationCheck {
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public enum Severity: String, Sendable, Hashable {
            /// `serve` would stop at start-up.
            case error
            /// `serve` starts, but something will not behave as the configuration says.
            case warning
            /// Worth knowing; nothing is wrong.
            case note
        }

        public var severity: Severity
        public var message: String

        public init(_ severity: Severity, _ message: String) {
            self.severity = severity
            self.message = message
        }

        public var description: String { "\(severity.rawValue): \(message)" }
    }

    /// Every difference between the resources and relationships of `schema` and what the
    /// database declares.
    public static func findings(_ schema: Schema, against description: DatabaseDescription) -> [Finding] {
        var findings: [Finding] = []
        for resource in schema.resources {
            guard let table = description.table(named: resource.table) else {
                if let reason = resource.readOnly {
                    findings.append(
                        Finding(
                            .error,
                            "\(resource.name): the table '\(resource.table)' does not exist, and Restable does not create the table of a read-only resource (\(reason.explanation))"))
                } else {
                    findings.append(Finding(.note, "\(resource.name): the table '\(resource.table)' does not exist; serve creates it"))
                }
                continue
            }
            if table.isView, resource.readOnly == nil {
                findings.append(Finding(.warning, "\(resource.name): '\(table.name)' is a view; declare it 'readOnly: view'"))
            }
            // The trash column of a resource with soft delete too: serve needs it as much.
            let missing = resource.stored.columns.filter { table.column(named: $0.name) == nil }.map(\.name)
            if !missing.isEmpty {
                findings.append(
                    Finding(
                        .error,
                        "\(resource.name): the table '\(table.name)' has no column \(missing.map { "'\($0)'" }.joined(separator: ", ")); serve stops (Restable never alters a table)"))
            }
            for column in resource.stored.columns {
                guard let found = table.column(named: column.name) else { continue }
                let declared = found.declaredType.isEmpty ? "no declared type" : found.declaredType
                if let type = Introspection.columnType(found.declaredType, flavor: description.flavor) {
                    if column.readAsText {
                        findings.append(
                            Finding(.note, "\(resource.name).\(column.name) is read as text, but the database's type (\(declared)) is \(type.rawValue)"))
                    } else if type != column.type {
                        findings.append(
                            Finding(
                                .warning,
                                "\(resource.name).\(column.name) is configured as \(column.type.rawValue), but the database's type (\(declared)) is \(type.rawValue)"))
                    }
                } else if !column.readAsText {
                    findings.append(
                        Finding(
                            .warning,
                            "\(resource.name).\(column.name) has \(declared) in the database, which Restable does not know; declare it 'text asText'"))
                }
                if found.computed, !column.readOnly {
                    findings.append(Finding(.warning, "\(resource.name).\(column.name) is computed by the database; declare it readOnly"))
                }
            }
            if !table.isView, table.primaryKey != resource.key {
                let primary = table.primaryKey.isEmpty ? "has no primary key" : "has the primary key (\(table.primaryKey.joined(separator: ", ")))"
                findings.append(
                    Finding(.warning, "\(resource.name): the key is (\(resource.key.joined(separator: ", "))), but the table '\(table.name)' \(primary)"))
            }
        }
        for relationship in schema.relationships {
            guard let child = schema.resource(named: relationship.child), let parent = schema.resource(named: relationship.parent),
                let table = description.table(named: child.table), description.table(named: parent.table) != nil
            else { continue }
            let what = "\(relationship.child)(\(relationship.columns.joined(separator: ", "))) -> \(relationship.parent)"
            guard let foreignKey = table.foreignKeys.first(where: { $0.columns == relationship.columns && $0.referencedTable == parent.table }) else {
                findings.append(
                    Finding(
                        .warning,
                        "\(what): the database declares no such foreign key; Restable applies onDelete \(relationship.onDelete.rawValue) itself, but other programs may leave rows pointing at nothing"))
                continue
            }
            let same: Bool
            switch (foreignKey.onDelete, relationship.onDelete) {
            case (.cascade, .cascade), (.setNull, .setNull), (.restrict, .restrict), (.noAction, .restrict): same = true
            default: same = false
            }
            if !same {
                findings.append(
                    Finding(
                        .note,
                        "\(what): onDelete \(relationship.onDelete.rawValue), and the database declares ON DELETE \(foreignKey.onDelete.catalogText); Restable follows the configuration, changing the children before the parent"))
            }
        }
        for table in description.tables {
            let child = schema.resources.first { $0.table == table.name }
            for foreignKey in table.foreignKeys {
                guard let parent = schema.resources.first(where: { $0.table == foreignKey.referencedTable }) else { continue }
                if let child, schema.references(of: child.name).contains(where: { $0.parent == parent.name && $0.columns == foreignKey.columns }) {
                    continue
                }
                let what = "\(table.name)(\(foreignKey.columns.joined(separator: ", "))) -> \(foreignKey.referencedTable) ON DELETE \(foreignKey.onDelete.catalogText)"
                let rows = child.map { "\($0.name) rows" } ?? "rows of '\(table.name)' (not served)"
                switch foreignKey.onDelete {
                case .cascade, .setNull, .setDefault:
                    findings.append(
                        Finding(
                            .warning,
                            "the database declares \(what), which the configuration does not: a delete of \(parent.name) changes \(rows) that its summary does not list"))
                case .restrict, .noAction:
                    findings.append(
                        Finding(
                            .warning,
                            "the database declares \(what), which the configuration does not: a delete of \(parent.name) rows that still have \(rows) fails in the database (409 invalidReference), without a restrict's explanation"))
                }
            }
        }
        let served = Set(schema.resources.map(\.table))
        for table in description.tables where !served.contains(table.name) && !RestableTables.names.contains(table.name) {
            findings.append(Finding(.note, "the \(table.isView ? "view" : "table") '\(table.name)' is not served"))
        }
        return findings
    }
}

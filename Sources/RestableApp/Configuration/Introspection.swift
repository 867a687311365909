public import RestableCore

/// Turns the description of an existing database into the schema Restable serves: a resource
/// per table or view (named after it), a relationship per foreign key it can follow, and the
/// overrides of the configuration file applied. Pure: the store has read the catalog already.
public enum Introspection {
    /// Restable's type for a type the catalog declares, or nil when Restable does not know it.
    ///
    /// SQLite goes by the declared type's affinity words, PostgreSQL by the type's name (`udt_name`).
    public static func columnType(_ declared: String, flavor: DatabaseDescription.Flavor) -> ColumnType? {
        switch flavor {
        case .sqlite:
            let type = declared.uppercased()
            if type.hasPrefix("DECIMAL_TEXT") { return .decimal }
            if type.contains("INT") { return .integer }
            if type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT") { return .text }
            if type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB") { return .real }
            if type.hasPrefix("BOOL") { return .boolean }
            if type.hasPrefix("DECIMAL") || type.hasPrefix("NUMERIC") { return .decimal }
            if type.hasPrefix("TIMESTAMP") || type.hasPrefix("DATETIME") { return .timestamp }
            return nil
        case .postgres:
            switch declared.lowercased() {
            case "int2", "int4", "int8": return .integer
            case "text", "varchar", "bpchar": return .text
            case "numeric": return .decimal
            case "float4", "float8": return .real
            case "bool": return .boolean
            case "timestamptz", "timestamp": return .timestamp
            default: return nil
            }
        }
    }

    /// The schema of `description` with `overrides` applied, and the warnings to show at start
    /// (types served as text, read-only tables, foreign keys Restable does not follow). An
    /// override that names something the database does not have is an error at its place in `file`.
    public static func schema(
        _ description: DatabaseDescription, overrides: IntrospectionOverrides = IntrospectionOverrides(), file: String
    ) throws(ConfigurationError) -> (schema: Schema, warnings: [String]) {
        // Restable's own tables (sessions, the journal, ...) are never served.
        var description = description
        description.tables.removeAll { RestableTables.names.contains($0.name) }
        func fail(_ mark: SourceMark, _ message: String) -> ConfigurationError {
            ConfigurationError(file: file, line: mark.line, column: mark.column, message: message)
        }
        func known(_ name: String) -> String {
            let names = description.tables.map(\.name)
            return names.isEmpty ? "it has none" : "it has: " + names.joined(separator: ", ")
        }
        var warnings: [String] = []
        var hidden = Set<String>()
        for table in overrides.hiddenTables {
            guard description.table(named: table.name) != nil else {
                throw fail(table.mark, "hide names '\(table.name)', which is not a table or view of the database (\(known(table.name)))")
            }
            guard hidden.insert(table.name).inserted else { throw fail(table.mark, "hide names '\(table.name)' twice") }
        }
        var byTable: [String: IntrospectionOverrides.ResourceOverride] = [:]
        for override in overrides.resources {
            guard description.table(named: override.table) != nil else {
                throw fail(override.mark, "overrides name '\(override.table)', which is not a table or view of the database (\(known(override.table)))")
            }
            guard !hidden.contains(override.table) else {
                throw fail(override.mark, "'\(override.table)' is hidden, so it cannot also be overridden")
            }
            byTable[override.table] = override
        }

        var resources: [Resource] = []
        var nameOf: [String: String] = [:]
        var nameMarks: [String: SourceMark] = [:]
        for table in description.tables where !hidden.contains(table.name) {
            let override = byTable[table.name]
            var hiddenColumns = Set<String>()
            for column in override?.hiddenColumns ?? [] {
                guard table.column(named: column.name) != nil else {
                    throw fail(
                        column.mark,
                        "'\(column.name)' is not a column of '\(table.name)' (its columns: \(table.columns.map(\.name).joined(separator: ", ")))")
                }
                guard !table.primaryKey.contains(column.name) else {
                    throw fail(column.mark, "'\(column.name)' is part of the primary key of '\(table.name)', which cannot be hidden")
                }
                if let foreignKey = table.foreignKeys.first(where: { $0.columns.contains(column.name) }) {
                    throw fail(
                        column.mark,
                        "'\(column.name)' of '\(table.name)' is part of its foreign key to '\(foreignKey.referencedTable)', which cannot be hidden")
                }
                guard hiddenColumns.insert(column.name).inserted else { throw fail(column.mark, "hide names '\(column.name)' twice") }
            }
            var columns: [Column] = []
            let trashColumn = override?.softDelete?.column
            for found in table.columns where !hiddenColumns.contains(found.name) {
                let served = column(found, of: table, flavor: description.flavor, warnings: &warnings)
                if found.name == trashColumn {
                    let mark = override?.softDeleteMark ?? SourceMark()
                    guard served.type == .timestamp, !served.readAsText else {
                        throw fail(mark, "the softDelete column '\(found.name)' of '\(table.name)' must be a timestamp column, not \(found.declaredType)")
                    }
                    guard !table.primaryKey.contains(found.name), !served.required else {
                        throw fail(mark, "the softDelete column '\(found.name)' of '\(table.name)' must be nullable and outside the key: null marks a live row")
                    }
                    continue
                }
                columns.append(served)
            }
            if let trashColumn, table.column(named: trashColumn) == nil || hiddenColumns.contains(trashColumn) {
                throw fail(
                    override?.softDeleteMark ?? SourceMark(),
                    "'\(table.name)' has no column '\(trashColumn)' for softDelete (its columns: \(table.columns.map(\.name).joined(separator: ", "))); Restable never alters existing tables")
            }
            let name = override?.name ?? table.name
            var readOnly: ReadOnlyReason?
            if table.isView {
                readOnly = .view
                warnings.append("\(name) is a view: served read-only")
            } else if table.primaryKey.isEmpty {
                readOnly = .noPrimaryKey
                warnings.append("\(name) has no primary key: served read-only (listed, never read by key, written or deleted)")
            } else if override?.readOnly == true {
                readOnly = .configured
            }
            if override?.readOnly == false, readOnly != nil {
                throw fail(override?.mark ?? SourceMark(), "'\(table.name)' cannot be made writable: \(readOnly!.explanation)")
            }
            guard !resources.contains(where: { $0.name == name }) else {
                throw fail(override?.nameMark ?? nameMarks[name] ?? SourceMark(), "two resources would be named '\(name)'; rename one")
            }
            nameOf[table.name] = name
            nameMarks[name] = override?.nameMark
            if trashColumn != nil, let readOnly {
                throw fail(override?.softDeleteMark ?? SourceMark(), "'\(table.name)' is read-only (\(readOnly.explanation)), so softDelete means nothing")
            }
            resources.append(
                Resource(
                    name: name, table: table.name, key: table.isView ? [] : table.primaryKey, columns: columns,
                    optimisticLocking: override?.optimisticLocking ?? .optional, readOnly: readOnly, softDelete: override?.softDelete))
        }

        var relationships: [Relationship] = []
        // For each relationship, the action the database declares (overrides may only make it stricter).
        var declared: [Relationship] = []
        for table in description.tables {
            for foreignKey in table.foreignKeys {
                let what = "the foreign key \(table.name)(\(foreignKey.columns.joined(separator: ", "))) -> \(foreignKey.referencedTable)"
                let changesChildren = foreignKey.onDelete == .cascade || foreignKey.onDelete == .setNull || foreignKey.onDelete == .setDefault
                if hidden.contains(table.name) {
                    if changesChildren, !hidden.contains(foreignKey.referencedTable), let mark = overrides.hiddenTables.first(where: { $0.name == table.name })?.mark {
                        throw fail(
                            mark,
                            "'\(table.name)' cannot be hidden: \(what) is ON DELETE \(foreignKey.onDelete.catalogText), so deletes of '\(foreignKey.referencedTable)' change its rows, which a summary could not list")
                    }
                    continue
                }
                guard let childName = nameOf[table.name], let child = resources.first(where: { $0.name == childName }) else { continue }
                guard let parentTable = description.table(named: foreignKey.referencedTable) else {
                    warnings.append("\(what) names a table outside the served schema: Restable does not follow it")
                    continue
                }
                guard let parentName = nameOf[parentTable.name], let parent = resources.first(where: { $0.name == parentName }) else {
                    // The parent is hidden: its rows are never deleted through Restable.
                    continue
                }
                guard !parent.key.isEmpty, Set(foreignKey.referencedColumns) == Set(parent.key),
                    foreignKey.referencedColumns.count == parent.key.count
                else {
                    warnings.append(
                        "\(what) references \(foreignKey.referencedColumns.joined(separator: ", ")), not the primary key of \(parentTable.name): Restable does not follow it"
                            + (changesChildren ? "; a delete of \(parent.name) may change \(child.name) rows that its summary does not list" : ""))
                    continue
                }
                // The child's columns in the order of the parent's key.
                let columns = parent.key.map { keyColumn in foreignKey.columns[foreignKey.referencedColumns.firstIndex(of: keyColumn)!] }
                let mismatched = zip(columns, parent.keyColumns).first { name, keyColumn in child.column(named: name)?.type != keyColumn.type }
                if let (name, keyColumn) = mismatched {
                    warnings.append(
                        "\(what): \(table.name).\(name) is \(child.column(named: name)?.type.rawValue ?? "?") but \(parentTable.name).\(keyColumn.name) is \(keyColumn.type.rawValue): Restable does not follow it")
                    continue
                }
                var action: ReferentialAction
                switch foreignKey.onDelete {
                case .cascade: action = .cascade
                case .setNull: action = .setNull
                case .restrict, .noAction: action = .restrict
                case .setDefault:
                    action = .restrict
                    warnings.append("\(what) is ON DELETE SET DEFAULT, which Restable does not do: served as restrict")
                }
                if action == .setNull, columns.contains(where: { name in child.key.contains(name) || child.column(named: name)?.required == true }) {
                    action = .restrict
                    warnings.append("\(what) is ON DELETE SET NULL on columns that cannot be null: served as restrict")
                }
                let relationship = Relationship(parent: parent.name, child: child.name, columns: columns, onDelete: action)
                guard !relationships.contains(where: { $0.child == child.name && Set($0.columns) == Set(columns) }) else { continue }
                relationships.append(relationship)
                declared.append(relationship)
            }
        }

        for override in overrides.relationships {
            guard description.table(named: override.child) != nil else {
                throw fail(override.mark, "the relationship override names '\(override.child)', which is not a table of the database (\(known(override.child)))")
            }
            guard let childName = nameOf[override.child] else {
                throw fail(override.mark, "the relationship override names '\(override.child)', which is hidden")
            }
            guard let index = relationships.firstIndex(where: { $0.child == childName && Set($0.columns) == Set(override.columns) }) else {
                let found = relationships.filter { $0.child == childName }.map { "(\($0.columns.joined(separator: ", "))) -> \($0.parent)" }
                throw fail(
                    override.mark,
                    "the database declares no foreign key of '\(override.child)' on (\(override.columns.joined(separator: ", "))) that Restable follows"
                        + (found.isEmpty ? "" : "; it has: " + found.joined(separator: ", ")))
            }
            let current = declared[index].onDelete
            guard override.onDelete == current || override.onDelete == .restrict else {
                throw fail(
                    override.onDeleteMark,
                    "\(override.child)(\(override.columns.joined(separator: ", "))) -> \(relationships[index].parent) is \(current.rawValue) in the database; an override may only make it restrict, not \(override.onDelete.rawValue)")
            }
            relationships[index].onDelete = override.onDelete
        }
        let schema = Schema(resources: resources, relationships: relationships)
        if let (resource, message) = ConfigurationLoader.softDeleteProblem(in: schema) {
            throw fail(overrides.resources.first { ($0.name ?? $0.table) == resource }?.softDeleteMark ?? SourceMark(), message)
        }
        return (schema, warnings)
    }

    /// A column as Restable serves it, and a warning for a type it does not know.
    static func column(_ found: FoundColumn, of table: FoundTable, flavor: DatabaseDescription.Flavor, warnings: inout [String]) -> Column {
        let type = columnType(found.declaredType, flavor: flavor)
        if type == nil {
            let declared = found.declaredType.isEmpty ? "no declared type" : "type \(found.declaredType)"
            warnings.append("\(table.name).\(found.name) has \(declared), which Restable does not know: served as text, read-only")
        }
        let isKey = table.primaryKey.contains(found.name)
        let generated = found.generated && table.primaryKey == [found.name] && type == .integer && !table.isView
        let filled = found.generated || found.hasDefault || found.computed
        return Column(
            name: found.name, type: type ?? .text, generated: generated,
            required: !found.nullable && !isKey && !filled && type != nil,
            unique: table.uniqueConstraints.contains([found.name]) && table.primaryKey != [found.name],
            readOnly: found.computed, readAsText: type == nil)
    }

    /// Resolves a configuration that says `introspect: true` against the database's description:
    /// its schema, and its mounts' resource names checked.
    public static func resolve(_ configuration: Configuration, with description: DatabaseDescription) throws(ConfigurationError) -> (
        configuration: Configuration, warnings: [String]
    ) {
        guard let settings = configuration.introspection else { return (configuration, []) }
        guard !description.tables.isEmpty else {
            throw ConfigurationError(file: settings.file, message: "the database \(configuration.database) has no tables or views to serve")
        }
        let (schema, warnings) = try Self.schema(description, overrides: settings.overrides, file: settings.file)
        for reference in settings.mountReferences where schema.resource(named: reference.name) == nil {
            throw ConfigurationError(
                file: settings.file, line: reference.mark.line, column: reference.mark.column, message: "'\(reference.name)' is not a resource")
        }
        var resolved = configuration
        resolved.schema = schema
        for override in settings.overrides.resources {
            let name = override.name ?? override.table
            if override.journal == false { resolved.journal?.unjournaled.insert(name) }
            if let retention = override.retention {
                guard override.journal != false else {
                    throw ConfigurationError(
                        file: settings.file, line: override.mark.line, column: override.mark.column,
                        message: "'\(override.table)' says 'journal: false', so a 'retention' for its journal means nothing")
                }
                resolved.journal?.retentionByResource[name] = retention
            }
        }
        resolved.introspection = nil
        return (resolved, warnings)
    }
}

extension FoundForeignKey.Action {
    /// As SQL writes it: `CASCADE`, `SET NULL`, ...
    public var catalogText: String {
        switch self {
        case .cascade: "CASCADE"
        case .setNull: "SET NULL"
        case .restrict: "RESTRICT"
        case .noAction: "NO ACTION"
        case .setDefault: "SET DEFAULT"
        }
    }
}

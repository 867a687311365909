public import RestableCore
import RestablePostgres

/// Writes a configuration as YAML that ``ConfigurationLoader`` reads back to the same schema:
/// what `restable introspect` prints, ready to edit.
public enum ConfigurationWriter {
    /// The YAML of `schema` served from `database`; `description` (when the schema was read from
    /// a database) adds the database's own type names as comments.
    public static func yaml(database: DatabaseLocation, schema: Schema, description: DatabaseDescription? = nil, header: [String] = []) -> String {
        var lines = header.map { "# " + $0 }
        var shown = database
        if case .postgres(var location) = database, location.password != nil {
            location.password = nil
            shown = .postgres(location)
            lines.append("# The password is not printed: add it here, or give --database or RESTABLE_DATABASE_URL.")
        }
        let url = shown.description
        lines.append("database: " + (url.contains(" #") || url.hasSuffix(":") || url.contains(": ") ? scalar(url) : url))
        if case .postgres(let location) = database, location.schema != "public" {
            lines.append("postgres:")
            lines.append("  schema: \(scalar(location.schema))")
        }
        lines.append("")
        lines.append("resources:")
        for resource in schema.resources {
            let table = description?.table(named: resource.table)
            lines.append("  \(scalar(resource.name)):")
            if resource.table != resource.name { lines.append("    table: \(scalar(resource.table))") }
            switch resource.key.count {
            case 0: lines.append("    key: []")
            case 1: lines.append("    key: \(scalar(resource.key[0]))")
            default: lines.append("    key: " + flowList(resource.key))
            }
            lines.append("    columns:")
            for column in resource.columns {
                var words = [column.type.rawValue]
                if column.generated { words.append("generated") }
                if column.required { words.append("required") }
                if column.unique { words.append("unique") }
                if column.readAsText {
                    words.append("asText")
                } else if column.readOnly {
                    words.append("readOnly")
                }
                var line = "      \(scalar(column.name)): \(words.joined(separator: " "))"
                if let found = table?.column(named: column.name) {
                    var notes: [String] = []
                    if !found.declaredType.isEmpty { notes.append(found.declaredType) }
                    if column.readAsText { notes.append("a type Restable does not know: served as text, read-only") }
                    if found.computed { notes.append("computed by the database: read-only") }
                    if !notes.isEmpty { line += "   # " + notes.joined(separator: "; ") }
                }
                lines.append(line)
            }
            lines.append("    optimisticLocking: \(resource.optimisticLocking.rawValue)")
            switch resource.readOnly {
            case .view?: lines.append("    readOnly: view")
            case .configured?: lines.append("    readOnly: true")
            case .noPrimaryKey?: lines.append("    # read-only: the table has no primary key")
            case nil: break
            }
        }
        if !schema.relationships.isEmpty {
            lines.append("")
            lines.append("relationships:")
            for relationship in schema.relationships {
                var line = "  - { parent: \(scalar(relationship.parent)), child: \(scalar(relationship.child)), columns: \(flowList(relationship.columns)), onDelete: \(relationship.onDelete.rawValue) }"
                if let declared = declaredAction(relationship, schema: schema, description: description) {
                    line += "   # ON DELETE \(declared.catalogText)"
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The action the database declares for a relationship's foreign key, if known.
    static func declaredAction(_ relationship: Relationship, schema: Schema, description: DatabaseDescription?) -> FoundForeignKey.Action? {
        guard let child = schema.resource(named: relationship.child), let table = description?.table(named: child.table) else { return nil }
        return table.foreignKeys.first { Set($0.columns) == Set(relationship.columns) }?.onDelete
    }

    static func flowList(_ names: [String]) -> String {
        "[" + names.map(scalar).joined(separator: ", ") + "]"
    }

    /// A name as a YAML scalar: plain when it is a simple word that YAML reads as that text,
    /// double-quoted (with escapes) otherwise: `"order"` needs no quotes, `"yes"`, `"a b"`,
    /// `"x:y"` or `"null"` do.
    public static func scalar(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-" || scalar == "." || scalar == "/"
            }
        let special: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]
        let first = text.unicodeScalars.first
        let startsPlain = first.map { $0.properties.isAlphabetic || $0 == "_" || $0 == "/" } ?? false
        if plain, startsPlain, !special.contains(text.lowercased()), Double(text) == nil
        {
            return text
        }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    quoted += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}

public import RestableCore

extension SQLBuilder {
    /// `CREATE TABLE` for a resource, with its primary key and a real FOREIGN KEY per relationship
    /// in which it is the child. Every foreign key is `NO ACTION`, checked at COMMIT: the engine
    /// itself cascades and sets null by its plan, and the database only verifies that no row is
    /// left pointing at a row that is gone (a database's own actions fire row by row, in an
    /// order the engine does not choose, and could refuse a plan that the rules allow).
    public func createTable(_ resource: Resource, references: [Relationship], schema: Schema) -> SQLStatement {
        // The trash column too, for a resource with soft delete.
        let resource = resource.stored
        let generatedKey = resource.key.count == 1 && resource.keyColumns.first?.generated == true
        var parts: [String] = resource.columns.map { column in
            if generatedKey, column.name == resource.key[0] {
                return "\(flavor.quote(column.name)) \(flavor.generatedKeyDeclaration)"
            }
            var declaration = "\(flavor.quote(column.name)) \(flavor.typeName(column.type))"
            if column.required || resource.key.contains(column.name) { declaration += " NOT NULL" }
            if column.unique { declaration += " UNIQUE" }
            return declaration
        }
        if !generatedKey {
            parts.append("PRIMARY KEY (" + resource.key.map(flavor.quote).joined(separator: ", ") + ")")
        }
        if flavor.declaresForeignKeysInCreateTable {
            parts += foreignKeys(references, schema: schema)
        }
        return SQLStatement("CREATE TABLE \(flavor.quote(resource.table)) (\n  " + parts.joined(separator: ",\n  ") + "\n)")
    }

    /// `ALTER TABLE ... ADD FOREIGN KEY` for each relationship in which a resource is the child,
    /// for flavours that add them once every table exists (relationships may form cycles, which
    /// one `CREATE TABLE` after another cannot declare); none for the others.
    public func addForeignKeys(_ resource: Resource, references: [Relationship], schema: Schema) -> [SQLStatement] {
        guard !flavor.declaresForeignKeysInCreateTable else { return [] }
        return foreignKeys(references, schema: schema).map { SQLStatement("ALTER TABLE \(flavor.quote(resource.table)) ADD \($0)") }
    }

    private func foreignKeys(_ references: [Relationship], schema: Schema) -> [String] {
        references.compactMap { relationship in
            guard let parent = schema.resource(named: relationship.parent) else { return nil }
            return "FOREIGN KEY (" + relationship.columns.map(flavor.quote).joined(separator: ", ") + ") REFERENCES "
                + flavor.quote(parent.table) + " (" + parent.key.map(flavor.quote).joined(separator: ", ")
                + ") ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED"
        }
    }

    /// An index on each foreign key of a resource, so that finding a parent's children (for a
    /// restrict, a cascade or a set-null) is a lookup, not a scan. A foreign key that leads the
    /// primary key is served by the primary key's index already.
    public func createIndexes(_ resource: Resource, references: [Relationship]) -> [SQLStatement] {
        var seen = Set<[String]>()
        return references.compactMap { relationship in
            guard !resource.key.starts(with: relationship.columns), seen.insert(relationship.columns).inserted else { return nil }
            let name = "\(resource.table)_\(relationship.columns.joined(separator: "_"))_fkey_index"
            return SQLStatement(
                "CREATE INDEX \(flavor.quote(name)) ON \(flavor.quote(resource.table)) ("
                    + relationship.columns.map(flavor.quote).joined(separator: ", ") + ")")
        }
    }
}

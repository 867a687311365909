public import RestableCore
import RestableSQL

/// Reads a SQLite database's own catalog (`sqlite_master` and the table-valued pragmas) into a
/// ``DatabaseDescription``. Only reads.
extension SQLiteStore: DatabaseIntrospecting {
    public func describe() async throws -> DatabaseDescription {
        try await read { session in
            guard let session = session as? SQLiteSession else {
                throw RestableError(.internalError, "the SQLite store lent a session of another store")
            }
            return try await session.connection.perform { connection in try SQLiteCatalog(connection: connection).describe() }
        }
    }
}

struct SQLiteCatalog {
    let connection: SQLiteConnection

    func describe() throws -> DatabaseDescription {
        let objects = try rows(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        var tables: [FoundTable] = []
        for object in objects {
            tables.append(try table(object[0], isView: object[1] == "view"))
        }
        // A foreign key that names no parent columns references the parent's primary key.
        for index in tables.indices {
            for fk in tables[index].foreignKeys.indices where tables[index].foreignKeys[fk].referencedColumns.contains("") {
                let parent = tables.first { $0.name == tables[index].foreignKeys[fk].referencedTable }
                tables[index].foreignKeys[fk].referencedColumns = parent?.primaryKey ?? []
            }
        }
        return DatabaseDescription(flavor: .sqlite, tables: tables)
    }

    private func table(_ name: String, isView: Bool) throws -> FoundTable {
        // cid, name, type, notnull, dflt_value, pk, hidden (2 and 3: a generated column).
        let info = try rows(
            "SELECT name, type, \"notnull\", dflt_value IS NOT NULL, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid", [name])
        var columns: [FoundColumn] = []
        var keyed: [(Int, String)] = []
        for column in info where column[5] != "1" {
            columns.append(
                FoundColumn(
                    name: column[0], declaredType: column[1], nullable: column[2] == "0", hasDefault: column[3] == "1",
                    computed: column[5] == "2" || column[5] == "3"))
            if let position = Int(column[4]), position > 0 { keyed.append((position, column[0])) }
        }
        let primaryKey = keyed.sorted { $0.0 < $1.0 }.map(\.1)
        // seq, name, unique, origin (c: CREATE INDEX, u: UNIQUE, pk: PRIMARY KEY), partial
        let indexes = try rows("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY name", [name])
        var unique: [[String]] = []
        for index in indexes where index[1] == "1" && index[2] != "pk" && index[3] == "0" {
            let names = try rows("SELECT name FROM pragma_index_info(?) ORDER BY seqno", [index[0]]).map { $0[0] }
            // An index on an expression has a column without a name.
            if !names.contains(""), !unique.contains(names) { unique.append(names) }
        }
        // A single INTEGER PRIMARY KEY of a rowid table is the rowid: the database assigns it.
        // (A WITHOUT ROWID table has an index for its primary key; a rowid table has none.)
        if primaryKey.count == 1, let index = columns.firstIndex(where: { $0.name == primaryKey[0] }),
            columns[index].declaredType.uppercased() == "INTEGER", !indexes.contains(where: { $0[2] == "pk" })
        {
            columns[index].generated = true
            columns[index].nullable = false
        }
        for name in primaryKey {
            if let index = columns.firstIndex(where: { $0.name == name }) { columns[index].nullable = false }
        }
        // id, seq, table, from, to, on_update, on_delete, match
        let references = try rows(
            "SELECT id, \"table\", \"from\", coalesce(\"to\", ''), on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq", [name])
        var foreignKeys: [FoundForeignKey] = []
        var current: String?
        for reference in references {
            let action = FoundForeignKey.action(catalogText: reference[4]) ?? .noAction
            if reference[0] == current, var last = foreignKeys.popLast() {
                last.columns.append(reference[2])
                last.referencedColumns.append(reference[3])
                foreignKeys.append(last)
            } else {
                foreignKeys.append(
                    FoundForeignKey(columns: [reference[2]], referencedTable: reference[1], referencedColumns: [reference[3]], onDelete: action))
            }
            current = reference[0]
        }
        return FoundTable(
            name: name, isView: isView, columns: columns, primaryKey: isView ? [] : primaryKey, uniqueConstraints: unique,
            foreignKeys: foreignKeys)
    }

    /// Every cell as text (integers in decimal, null as "").
    private func rows(_ sql: String, _ binds: [String] = []) throws -> [[String]] {
        try connection.queryNow(SQLStatement(sql, binds: binds.map(Value.text)), types: []).map { row in
            row.map { value in
                switch value {
                case .null: ""
                case .integer(let int): String(int)
                case .boolean(let bool): bool ? "1" : "0"
                case .text(let text): text
                case .real(let double): String(double)
                case .decimal(let decimal): decimal.text
                }
            }
        }
    }
}

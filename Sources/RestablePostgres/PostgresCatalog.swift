public import RestableCore
import RestableSQL

/// Reads the served schema of a PostgreSQL database into a ``DatabaseDescription``.
///
/// Plain catalog reads only, every cell cast to text and parsed here, so that the same SQL runs
/// on CockroachDB and YugabyteDB: tables and columns from `information_schema` (which shows what
/// the user may read), keys and foreign keys from `pg_catalog.pg_constraint` and unique indexes
/// from `pg_catalog.pg_index` (`information_schema` shows constraints only to a table's owner,
/// and cannot tell apart two foreign keys of the same name on different tables).
extension PostgresStore: DatabaseIntrospecting {
    public func describe() async throws -> DatabaseDescription {
        let schema = location.schema
        return try await read { session in
            guard let session = session as? PostgresSession else {
                throw RestableError(.internalError, "the PostgreSQL store lent a session of another store")
            }
            return try await PostgresCatalog(session: session, schema: schema).describe()
        }
    }
}

struct PostgresCatalog {
    let session: PostgresSession
    let schema: String

    func describe() async throws -> DatabaseDescription {
        let objects = try await rows(
            """
            SELECT CAST(table_name AS TEXT), CAST(table_type AS TEXT) FROM information_schema.tables
            WHERE table_schema = $1 AND table_type IN ('BASE TABLE', 'VIEW')
            """)
        let columnRows = try await rows(
            """
            SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT), CAST(udt_name AS TEXT), CAST(data_type AS TEXT),
              CAST(is_nullable AS TEXT), CAST(column_default AS TEXT), CAST(is_identity AS TEXT), CAST(is_generated AS TEXT)
            FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position
            """)
        // Column numbers (attnum) to names, for the key arrays of constraints and indexes.
        let attributes = try await rows(
            """
            SELECT CAST(c.relname AS TEXT), CAST(a.attnum AS TEXT), CAST(a.attname AS TEXT)
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped
            """)
        let constraints = try await rows(
            """
            SELECT CAST(c.relname AS TEXT), CAST(k.contype AS TEXT), CAST(k.conkey AS TEXT), CAST(f.relname AS TEXT),
              CAST(fn.nspname AS TEXT), CAST(k.confkey AS TEXT), CAST(k.confdeltype AS TEXT), CAST(k.conname AS TEXT)
            FROM pg_catalog.pg_constraint k
            JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_class f ON f.oid = k.confrelid
            LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = f.relnamespace
            WHERE n.nspname = $1 AND k.contype IN ('p', 'f')
            ORDER BY k.conname
            """)
        let indexes = try await rows(
            """
            SELECT CAST(c.relname AS TEXT), CAST(i.indkey AS TEXT), CAST(x.relname AS TEXT)
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
            JOIN pg_catalog.pg_class x ON x.oid = i.indexrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL AND i.indexprs IS NULL
            ORDER BY x.relname
            """)
        var names: [String: [Int: String]] = [:]
        for attribute in attributes {
            if let number = Int(attribute[1] ?? "") { names[attribute[0] ?? "", default: [:]][number] = attribute[2] ?? "" }
        }
        func columns(_ table: String, _ array: String?) -> [String]? {
            guard let array else { return nil }
            let numbers = array.trimmingPrefix("{").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "}" }).compactMap { Int($0) }
            let found = numbers.compactMap { names[table]?[$0] }
            return found.count == numbers.count && !found.isEmpty ? found : nil
        }
        var tables: [FoundTable] = []
        for object in objects {
            let name = object[0] ?? ""
            var table = FoundTable(name: name, isView: object[1] == "VIEW", columns: [])
            for column in columnRows where column[0] == name {
                let defaultText = column[5]
                let identity = column[6] == "YES"
                let serial = defaultText?.hasPrefix("nextval(") == true
                table.columns.append(
                    FoundColumn(
                        name: column[1] ?? "", declaredType: column[2] ?? "",
                        nullable: column[4] == "YES", generated: identity || serial, hasDefault: defaultText != nil && !serial,
                        computed: column[7] == "ALWAYS"))
            }
            tables.append(table)
        }
        for constraint in constraints {
            guard let index = tables.firstIndex(where: { $0.name == constraint[0] }),
                let own = columns(tables[index].name, constraint[2])
            else { continue }
            if constraint[1] == "p" {
                tables[index].primaryKey = own
                continue
            }
            // A foreign key into another schema is not served: it is left out (and reported by
            // the introspection, which finds no such table).
            let parent = constraint[4] == schema ? (constraint[3] ?? "") : "\(constraint[4] ?? "").\(constraint[3] ?? "")"
            let referenced = columns(constraint[3] ?? "", constraint[5]) ?? []
            let action: FoundForeignKey.Action
            switch constraint[6] {
            case "c": action = .cascade
            case "n": action = .setNull
            case "r": action = .restrict
            case "d": action = .setDefault
            default: action = .noAction
            }
            tables[index].foreignKeys.append(
                FoundForeignKey(columns: own, referencedTable: parent, referencedColumns: constraint[4] == schema ? referenced : [], onDelete: action))
        }
        for unique in indexes {
            guard let index = tables.firstIndex(where: { $0.name == unique[0] }),
                let own = columns(tables[index].name, unique[1]), !tables[index].uniqueConstraints.contains(own)
            else { continue }
            tables[index].uniqueConstraints.append(own)
        }
        // The primary key's columns and an identity are never null, whatever the catalog says.
        for index in tables.indices {
            for column in tables[index].columns.indices where tables[index].primaryKey.contains(tables[index].columns[column].name) {
                tables[index].columns[column].nullable = false
            }
        }
        tables.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return DatabaseDescription(flavor: .postgres, tables: tables)
    }

    /// The rows of a catalog query on the schema ($1), every cell as text or nil for null.
    private func rows(_ sql: String) async throws -> [[String?]] {
        try await session.rows(SQLStatement(sql, binds: [.text(schema)]), types: []).map { row in
            row.map { value -> String? in
                if case .text(let text) = value { return text }
                return nil
            }
        }
    }
}

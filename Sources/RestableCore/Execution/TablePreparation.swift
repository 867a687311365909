/// The rule both stores follow at start-up for the table of one resource: a missing table is
/// created (unless the resource is read-only); an existing one is never altered, so it must have
/// every configured column.
public enum TablePreparation {
    /// Whether the table must be created, from the rows of a catalog query whose first column is
    /// the name of one of the table's columns (no rows: no table). Throws `schemaMismatch` for a
    /// missing read-only table or a table that lacks configured columns.
    public static func mustCreate(_ resource: Resource, columnRows: [[Value]]) throws(RestableError) -> Bool {
        if columnRows.isEmpty {
            if let reason = resource.readOnly {
                throw RestableError(
                    .schemaMismatch,
                    "table '\(resource.table)' does not exist, and Restable does not create the table of a read-only resource (\(reason.explanation))",
                    resource: resource.name)
            }
            return true
        }
        let names = Set(columnRows.compactMap { row -> String? in
            if case .text(let name)? = row.first { return name }
            return nil
        })
        let missing = resource.stored.columnNames.filter { !names.contains($0) }
        if !missing.isEmpty {
            throw RestableError(
                .schemaMismatch,
                "table '\(resource.table)' exists but has no column \(missing.map { "'\($0)'" }.joined(separator: ", ")); Restable never alters existing tables",
                resource: resource.name)
        }
        return false
    }
}

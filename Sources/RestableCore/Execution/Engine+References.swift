/// Checks made before an insert or update so that a conflict can be explained: the database's
/// own constraints stay the last safety net, but their messages name no row.
extension Engine {
    /// Fails with `duplicateKey` when the key or a unique value is taken by another row (one in
    /// the trash too: it keeps its key and values until it is purged), and with
    /// `invalidReference` when a foreign key names a parent row that does not exist or is in the
    /// trash.
    func checkConflicts(_ values: [String: Value], of resource: Resource, excluding own: Key?, in session: any StoreSession) async throws {
        if own == nil, resource.key.allSatisfy({ values[$0] != nil }) {
            let key = Key(resource.key.map { values[$0]! })
            if let holder = try await session.select(resource.stored, where: .key(key, of: resource)).first {
                let trash = resource.isTrashed(holder) ? " in the trash: undelete it, or purge it to free the key" : ""
                throw RestableError(.duplicateKey, "\(resource.name) \(key) already exists\(trash)", resource: resource.name, key: key)
            }
        }
        for column in resource.columns where column.unique {
            guard let value = values[column.name], !value.isNull else { continue }
            let holders = try await session.select(
                resource.stored, where: RowPredicate([.compare(column: column.name, .eq, value)]), limit: 2, offset: nil)
            if let holder = holders.first(where: { $0.key(in: resource) != own }) {
                let trash = resource.isTrashed(holder) ? " (it is in the trash, where it keeps its values until it is purged)" : ""
                throw RestableError(
                    .duplicateKey,
                    "\(resource.name) \(holder.key(in: resource)) already has \(column.name) '\(value)', which must be unique\(trash)",
                    resource: resource.name, key: holder.key(in: resource), column: column.name)
            }
        }
        for relationship in schema.references(of: resource.name) {
            let given = relationship.columns.map { values[$0] }
            guard given.contains(where: { $0 != nil }) else { continue }
            guard let parent = schema.resource(named: relationship.parent) else { continue }
            let parentKey = Key(given.map { $0 ?? .null })
            guard !parentKey.values.contains(where: \.isNull) else { continue }
            let found = try await session.select(parent.stored, where: .key(parentKey, of: parent)).first
            if found == nil || found.map(parent.isTrashed) == true {
                let why = found == nil ? "which does not exist" : "which is in the trash: undelete it first"
                throw RestableError(
                    .invalidReference,
                    "\(resource.name).\(relationship.columns.joined(separator: ", ")) names \(parent.name) \(parentKey), \(why)",
                    resource: resource.name, column: relationship.columns.count == 1 ? relationship.columns[0] : nil)
            }
        }
    }
}

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

    /// Rows put back together (by an undo or an undelete), by resource: all of them, and those
    /// put back live.
    struct RestoredRows {
        var any: [String: KeySet] = [:]
        var live: [String: KeySet] = [:]
    }

    /// A parent that a row being put back names, and that is gone, or in the trash where the
    /// row needs it live.
    struct MissingParent {
        var parent: Resource
        var key: Key
        /// The first row that names it (one that needs it live, if any does).
        var child: Key
        var inTrash: Bool
    }

    /// The parents that `rows` of `resource` name through `relationships` and that are missing:
    /// gone, or in the trash for a row that `needsLive` says needs a live parent through that
    /// relationship. A parent in `restored` is there (live when in its `live` set). Per
    /// relationship, in the order the rows first name them; one statement per chunk of parent
    /// keys.
    func missingParents(
        of rows: [Row], in resource: Resource, through relationships: [Relationship], restored: RestoredRows,
        needsLive: (Row, Relationship) -> Bool, in session: any StoreSession
    ) async throws -> [MissingParent] {
        var missing: [MissingParent] = []
        for relationship in relationships {
            guard let parent = schema.resource(named: relationship.parent), parent.key.count == relationship.columns.count else { continue }
            var wanted = KeyMap<(child: Key, live: Bool)>()
            var keys: [Key] = []
            for row in rows {
                let values = row.values(of: relationship.columns)
                guard !values.contains(where: \.isNull) else { continue }
                let parentKey = Key(values)
                let live = needsLive(row, relationship)
                if restored.live[parent.name]?.contains(parentKey) == true { continue }
                if !live, restored.any[parent.name]?.contains(parentKey) == true { continue }
                if let known = wanted[parentKey] {
                    if live, !known.live { wanted[parentKey] = (row.key(in: resource), true) }
                } else {
                    wanted[parentKey] = (row.key(in: resource), live)
                    keys.append(parentKey)
                }
            }
            guard !keys.isEmpty else { continue }
            var present = KeyMap<Bool>()
            for row in try await self.rows(of: parent.stored, matching: parent.key, keys, in: session) {
                present[row.key(in: parent)] = !parent.isTrashed(row)
            }
            for parentKey in keys {
                let (child, live) = wanted[parentKey]!
                let found = present[parentKey]
                if found == true || (found == false && !live) { continue }
                missing.append(MissingParent(parent: parent, key: parentKey, child: child, inTrash: found != nil))
            }
        }
        return missing
    }

    /// The rows of `resource` whose `columns` hold one of `keys`, a chunk of keys a statement.
    func rows(of resource: Resource, matching columns: [String], _ keys: [Key], in session: any StoreSession) async throws -> [Row] {
        let compact = CompactKeys(keys)
        var found: [Row] = []
        for chunk in compact.chunks(of: Self.chunkSize) {
            found += try await session.select(resource, where: .columns(columns, in: compact.values(chunk)))
        }
        return found
    }
}

import Hummingbird
import RestableCore

/// Rendering rows and summaries in the native format.
extension NativeDialect {
    func href(_ resource: Resource, _ key: Key, mountPath: String) -> String {
        mountPath + "/" + PercentEncoding.encodeName(names.exposedName(of: resource.name)) + "/" + RowRendering.pathSegment(key)
    }

    /// A row with `"@metadata": {"href", "checksum"}` first, then its columns in order. With
    /// `trash` (a read with `show_deleted`), the metadata also says whether the row is
    /// `deleted`, and since when (`deletedAt`).
    func render(_ row: Row, of resource: Resource, mountPath: String, trash: Bool = false) -> JSON {
        // A row of a table without a primary key has no address: no href.
        let href: [(String, JSON)] = resource.key.isEmpty ? [] : [("href", .string(href(resource, row.key(in: resource), mountPath: mountPath)))]
        var deleted: [(String, JSON)] = []
        if trash, let softDelete = resource.softDelete {
            let mark = row[softDelete.column]
            deleted.append(("deleted", .bool(!mark.isNull)))
            if case .text(let at) = mark { deleted.append(("deletedAt", .string(at))) }
        }
        let metadata: JSON = .object(href + [("checksum", .string(Checksum.of(row, in: resource)))] + deleted)
        return .object([("@metadata", metadata)] + RowRendering.members(row, of: resource))
    }

    /// One entry of a transaction summary: `@metadata` with resource, verb, href and checksum,
    /// then the row's values before the change.
    func render(_ change: Change, mountPath: String) -> JSON {
        guard let resource = engine.schema.resource(named: change.resource) else { return .null }
        let metadata: JSON = .object([
            ("resource", .string(names.exposedName(of: change.resource))),
            ("verb", .string(change.verb.rawValue)),
            ("href", .string(href(resource, change.key, mountPath: mountPath))),
            ("checksum", .string(change.checksum)),
        ])
        return .object([("@metadata", metadata)] + RowRendering.members(change.row, of: resource))
    }

    /// The strong entity tag of a row: its checksum in quotes.
    static func entityTag(_ row: Row, of resource: Resource) -> String {
        "\"" + Checksum.of(row, in: resource) + "\""
    }
}

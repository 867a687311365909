import RestableCore

/// `GET /lab/mounts.json`: what the REST Lab page needs to know of each mount to talk to it.
///
/// Per mount: its path, its dialect, how its callers present credentials (and where a Buzz
/// mount signs in), whether it serves the journal, the resources it serves (name, key,
/// columns, locking) and every relationship of the schema, under the names the mount uses, so
/// that the page can draw a delete's summary as the tree of rows it touched. It holds no row,
/// key or credential: the shape of the schema only, which each mount's `openapi.json` also
/// shows without credentials.
enum LabMounts {
    /// The document for `mounts`, in the order the responder tries them (longest path first).
    static func document(_ mounts: [DialectMount]) -> JSON {
        .object([("mounts", .array(mounts.map(describe)))])
    }

    static func describe(_ mount: DialectMount) -> JSON {
        let (kind, names) = kindAndNames(mount.dialect)
        let schema = mount.dialect.engine.schema
        let methods = mount.security?.methods ?? []
        var members: [(String, JSON)] = [
            ("path", .string(mount.path)),
            ("dialect", .string(kind)),
            ("authentication", .array(methods.map { .string($0.rawValue) })),
        ]
        if methods.contains(.session) {
            members.append(("signIn", .string(mount.path + "/login")))
            members.append(("signOut", .string(mount.path + "/logout")))
        }
        let journal = kind == "native" && mount.dialect.engine.journal != nil
        members.append(("journal", journal ? .string(mount.path + "/_transactions") : .null))
        members.append(("resources", .array(names.served(in: schema).map { name, resource in resourceJSON(name, resource) })))
        members.append(("keys", .object(schema.resources.map { (names.exposedName(of: $0.name), .array($0.key.map(JSON.string))) })))
        members.append(("relationships", .array(schema.relationships.compactMap { relationshipJSON($0, schema: schema, names: names) })))
        return .object(members)
    }

    /// The dialect's name, as a configuration writes it, and the names its mount serves.
    static func kindAndNames(_ dialect: any Dialect) -> (String, ResourceNames) {
        switch dialect {
        case let native as NativeDialect: ("native", native.names)
        case let liveAPI as LiveAPIDialect: ("liveapi", liveAPI.names)
        case let autotask as AutotaskDialect: ("autotask", autotask.names)
        case let buzz as BuzzDialect: ("buzz", buzz.names)
        default: ("unknown", ResourceNames())
        }
    }

    static func resourceJSON(_ name: String, _ resource: Resource) -> JSON {
        var members: [(String, JSON)] = [
            ("name", .string(name)),
            ("key", .array(resource.key.map(JSON.string))),
            ("columns", .array(resource.columns.map { column in
                .object([
                    ("name", .string(column.name)), ("type", .string(column.type.rawValue)),
                    ("generated", .bool(column.generated)), ("required", .bool(column.required || resource.key.contains(column.name))),
                ])
            })),
            ("optimisticLocking", .string(resource.optimisticLocking.rawValue)),
        ]
        if let readOnly = resource.readOnly { members.append(("readOnly", .string(readOnly.rawValue))) }
        return .object(members)
    }

    /// A relationship under the mount's names: the child's `columns` hold the parent's key
    /// (`parentColumns`, in key order). Nil when the parent is not in the schema.
    static func relationshipJSON(_ relationship: Relationship, schema: Schema, names: ResourceNames) -> JSON? {
        guard let parent = schema.resource(named: relationship.parent) else { return nil }
        return .object([
            ("parent", .string(names.exposedName(of: relationship.parent))),
            ("child", .string(names.exposedName(of: relationship.child))),
            ("columns", .array(relationship.columns.map(JSON.string))),
            ("parentColumns", .array(parent.key.map(JSON.string))),
            ("onDelete", .string(relationship.onDelete.rawValue)),
        ])
    }
}

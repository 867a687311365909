public import RestableCore

/// The names under which a mount serves resources.
///
/// Without a mapping, every resource is served under its own name. With one
/// (`names: { staff: employee }`), the mount serves exactly the mapped names.
public struct ResourceNames: Sendable {
    private let byExposedName: [String: String]
    private let exposedNameOf: [String: String]
    private let mapped: Bool

    public init(_ names: [String: String] = [:]) {
        byExposedName = names
        var reverse: [String: String] = [:]
        for (exposed, resource) in names.sorted(by: { $0.key < $1.key }) where reverse[resource] == nil {
            reverse[resource] = exposed
        }
        exposedNameOf = reverse
        mapped = !names.isEmpty
    }

    /// The resource served under `name`, or `unknownResource`.
    public func resource(_ name: String, in schema: Schema) throws(RestableError) -> Resource {
        let resourceName = mapped ? byExposedName[name] : name
        guard let resourceName, let resource = schema.resource(named: resourceName) else {
            throw RestableError(.unknownResource, "there is no resource named '\(name)'", resource: name)
        }
        return resource
    }

    /// The resource served under `name`, or else under the one served name that matches it
    /// ignoring case (Autotask's entity names are not case-sensitive); else `unknownResource`.
    public func resource(ignoringCase name: String, in schema: Schema) throws(RestableError) -> Resource {
        if let exact = try? resource(name, in: schema) { return exact }
        let matching = served(in: schema).filter { $0.name.lowercased() == name.lowercased() }
        guard matching.count == 1 else {
            throw RestableError(.unknownResource, "there is no resource named '\(name)'", resource: name)
        }
        return matching[0].resource
    }

    /// The name a resource is served under here (its own name when the mount does not map it).
    public func exposedName(of resource: String) -> String {
        exposedNameOf[resource] ?? resource
    }

    /// The resources this mount serves, in schema order, with the names they are served under.
    public func served(in schema: Schema) -> [(name: String, resource: Resource)] {
        if !mapped { return schema.resources.map { ($0.name, $0) } }
        return schema.resources.flatMap { resource in
            byExposedName.filter { $0.value == resource.name }.keys.sorted().map { ($0, resource) }
        }
    }
}

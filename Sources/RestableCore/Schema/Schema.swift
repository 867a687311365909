/// The resources and relationships that the engine serves.
///
/// Built once at start-up (from the configuration) and immutable afterwards.
public struct Schema: Sendable {
    /// Resources in declaration order.
    public let resources: [Resource]
    public let relationships: [Relationship]
    private let byName: [String: Int]

    public init(resources: [Resource], relationships: [Relationship] = []) {
        self.resources = resources
        self.relationships = relationships
        var byName: [String: Int] = [:]
        for (index, resource) in resources.enumerated() { byName[resource.name] = index }
        self.byName = byName
    }

    public func resource(named name: String) -> Resource? {
        byName[name].map { resources[$0] }
    }

    /// The resource, or `unknownResource`.
    public func require(_ name: String) throws(RestableError) -> Resource {
        guard let resource = resource(named: name) else {
            throw RestableError(.unknownResource, "there is no resource named '\(name)'", resource: name)
        }
        return resource
    }

    /// True when a resource keeps a trash (``Resource/softDelete``): there is a trash to purge.
    public var keepsTrash: Bool {
        resources.contains { $0.softDelete != nil }
    }

    /// Relationships in which `resource` is the parent: what a delete of one of its rows must follow.
    public func dependents(of resource: String) -> [Relationship] {
        relationships.filter { $0.parent == resource }
    }

    /// Relationships in which `resource` is the child: the foreign keys its rows hold.
    public func references(of resource: String) -> [Relationship] {
        relationships.filter { $0.child == resource }
    }

    /// Resources ordered so that every parent comes before its children (for creating tables and
    /// loading data). Cycles keep declaration order.
    public var parentsFirst: [Resource] {
        var ordered: [Resource] = []
        var placed = Set<String>()
        var visiting = Set<String>()
        func place(_ resource: Resource) {
            guard !placed.contains(resource.name), !visiting.contains(resource.name) else { return }
            visiting.insert(resource.name)
            for reference in references(of: resource.name) where reference.parent != resource.name {
                if let parent = self.resource(named: reference.parent) { place(parent) }
            }
            visiting.remove(resource.name)
            placed.insert(resource.name)
            ordered.append(resource)
        }
        resources.forEach(place)
        return ordered
    }
}

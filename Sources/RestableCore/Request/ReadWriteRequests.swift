/// Read the rows of a resource that match every filter, ordered by key.
public struct ListRequest: Sendable, Hashable {
    public var resource: String
    public var filters: [FilterInput]
    public var limit: Int?
    public var offset: Int?

    public init(resource: String, filters: [FilterInput] = [], limit: Int? = nil, offset: Int? = nil) {
        self.resource = resource
        self.filters = filters
        self.limit = limit
        self.offset = offset
    }
}

/// Insert one row.
public struct CreateRequest: Sendable, Hashable {
    public var resource: String
    public var values: [String: Value]

    public init(resource: String, values: [String: Value]) {
        self.resource = resource
        self.values = values
    }
}

/// Change some columns of one row, optionally only if it still has a given checksum.
public struct UpdateRequest: Sendable, Hashable {
    public var resource: String
    public var key: KeyInput
    public var values: [String: Value]
    public var precondition: Precondition

    public init(resource: String, key: KeyInput, values: [String: Value], precondition: Precondition = .none) {
        self.resource = resource
        self.key = key
        self.values = values
        self.precondition = precondition
    }
}

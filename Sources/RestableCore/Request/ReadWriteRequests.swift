/// Read the rows of a resource that match a filter, in an order, a page at a time.
public struct ListRequest: Sendable, Hashable {
    public var resource: String
    public var filter: FilterExpression
    /// The columns to order by; the key always ends the order (alone when this is empty), so
    /// that every page of the same read is the same.
    public var order: [SortInput]
    /// Only rows after (or before) a key, in key order, or after a row in any order: keyset
    /// paging.
    public var cursor: ListCursor?
    public var limit: Int?
    public var offset: Int?
    /// Rows in the trash are read too (a resource with soft delete); each then carries its
    /// trash column, null for a live row.
    public var includesTrashed: Bool

    public init(
        resource: String, filter: FilterExpression = .everyRow, order: [SortInput] = [], cursor: ListCursor? = nil,
        limit: Int? = nil, offset: Int? = nil, includesTrashed: Bool = false
    ) {
        self.resource = resource
        self.filter = filter
        self.order = order
        self.cursor = cursor
        self.limit = limit
        self.offset = offset
        self.includesTrashed = includesTrashed
    }

    /// Rows matching every one of `filters`, in key order.
    public init(resource: String, filters: [FilterInput], limit: Int? = nil, offset: Int? = nil) {
        self.init(resource: resource, filter: .conjunction(filters), limit: limit, offset: offset)
    }
}

/// A column of an ordering as a client named it, before it is checked.
public struct SortInput: Sendable, Hashable {
    public var column: String
    public var descending: Bool

    public init(_ column: String, descending: Bool = false) {
        self.column = column
        self.descending = descending
    }
}

/// Where a keyset page starts: the rows after a key, or the rows just before one (the last
/// `limit` of them), both answered in key order.
public enum ListCursor: Sendable, Hashable {
    case after(KeyInput)
    case before(KeyInput)
    /// The rows after the one whose values of the read's order are these, in that order (the
    /// key's columns ending it): keyset paging in any order.
    case following([Value])
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

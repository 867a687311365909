/// An insert of one row with values already coerced to their columns' types.
public struct InsertPlan: Sendable, Hashable {
    public var resource: Resource
    public var values: [String: Value]
}

/// An update of one row's non-key columns.
public struct UpdatePlan: Sendable, Hashable {
    public var resource: Resource
    public var key: Key
    public var values: [String: Value]
    public var precondition: Precondition
}

/// A read of the rows matching a predicate, in an order that ends with the key.
public struct ReadPlan: Sendable, Hashable {
    public var resource: Resource
    public var predicate: RowPredicate
    /// Never empty: the columns asked for, then the key columns not among them.
    public var order: [SortKey]
    public var limit: Int?
    public var offset: Int?
    /// True for a `before` cursor: the rows were read in reverse order and are turned back.
    public var reversed: Bool
}

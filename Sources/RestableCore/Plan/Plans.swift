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

/// A read of the rows matching a predicate, ordered by key.
public struct ReadPlan: Sendable, Hashable {
    public var resource: Resource
    public var predicate: RowPredicate
    public var limit: Int?
    public var offset: Int?
}

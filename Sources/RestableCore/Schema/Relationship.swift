/// What happens to the children when their parent row is deleted.
public enum ReferentialAction: String, Sendable, Hashable, CaseIterable {
    /// The parent cannot be deleted while children exist.
    case restrict
    /// The children are deleted with it, by the same rules, recursively.
    case cascade
    /// The children's foreign-key columns are set to null.
    case setNull
}

/// A foreign key: `child.columns` reference `parent`'s key columns, in key order.
public struct Relationship: Sendable, Hashable {
    public var parent: String
    public var child: String
    public var columns: [String]
    public var onDelete: ReferentialAction

    public init(parent: String, child: String, columns: [String], onDelete: ReferentialAction) {
        self.parent = parent
        self.child = child
        self.columns = columns
        self.onDelete = onDelete
    }
}

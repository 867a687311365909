/// A row of one resource: its column values by column name.
///
/// Column order for output comes from the ``Resource``, never from the row.
public struct Row: Sendable, Hashable {
    public var values: [String: Value]

    public init(_ values: [String: Value] = [:]) {
        self.values = values
    }

    public subscript(column: String) -> Value {
        get { values[column] ?? .null }
        set { values[column] = newValue }
    }

    /// The row's key in the resource's key order; for a resource without a key, every value
    /// (its ``Resource/identity``).
    public func key(in resource: Resource) -> Key {
        Key(resource.identity.map { self[$0] })
    }

    /// The values of the given columns, in order.
    public func values(of columns: [String]) -> [Value] {
        columns.map { self[$0] }
    }
}

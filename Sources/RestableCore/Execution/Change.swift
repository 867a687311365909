/// What a change did to one row.
public enum ChangeVerb: String, Sendable, Hashable {
    case insert = "INSERT"
    case update = "UPDATE"
    case delete = "DELETE"
    /// A row put in the trash. Only previews tell it apart (a summary says `DELETE`, as the
    /// vendors' clients expect), so that a preview of a soft delete never commits a purge.
    case trash = "TRASH"
}

/// One row touched by a request: an entry of the transaction summary (LAC's txsummary).
public struct Change: Sendable, Hashable {
    /// The resource's name.
    public var resource: String
    public var verb: ChangeVerb
    public var key: Key
    /// The row's values before a delete or a set-null update; after an insert or a batch update.
    public var row: Row
    /// The checksum of ``row``.
    public var checksum: String

    public init(resource: Resource, verb: ChangeVerb, row: Row) {
        self.resource = resource.name
        self.verb = verb
        self.key = row.key(in: resource)
        self.row = row
        self.checksum = Checksum.of(row, in: resource)
    }
}

/// One operation of a mixed batch.
public enum BatchOperation: Sendable, Hashable {
    case insert(resource: String, values: [String: Value])
    case update(resource: String, key: KeyInput, values: [String: Value], precondition: Precondition)
    case delete(resource: String, key: KeyInput, precondition: Precondition)
    /// Delete the one row whose `match` columns hold these values (a natural key, such as a
    /// unique name); no row is `notFound`, more than one is `ambiguousMatch`.
    case deleteMatching(resource: String, match: [String: Value], precondition: Precondition)
}

/// Inserts, updates and deletes of any resources, run in order in one transaction: later
/// operations see what earlier ones did.
public struct BatchRequest: Sendable, Hashable {
    public var operations: [BatchOperation]
    /// `handling`, `dryRun`, `ignoreMissing` (for deletes) and `summaryLimit` apply; `maxAffected` does not.
    public var options: DeleteOptions

    public init(operations: [BatchOperation], options: DeleteOptions = DeleteOptions()) {
        self.operations = operations
        self.options = options
    }
}

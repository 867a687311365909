/// Delete one row and follow its relationships (see "The rules of a delete").
public struct DeleteRequest: Sendable, Hashable {
    public var resource: String
    public var key: KeyInput
    public var precondition: Precondition
    /// A missing row succeeds with an empty summary instead of failing with `notFound`.
    public var ignoreMissing: Bool
    /// Run the delete, report it, and roll it back.
    public var dryRun: Bool
    /// How many rows the summary lists at most (nil: the engine's default).
    public var summaryLimit: Int?

    public init(
        resource: String, key: KeyInput, precondition: Precondition = .none, ignoreMissing: Bool = false, dryRun: Bool = false,
        summaryLimit: Int? = nil
    ) {
        self.resource = resource
        self.key = key
        self.precondition = precondition
        self.ignoreMissing = ignoreMissing
        self.dryRun = dryRun
        self.summaryLimit = summaryLimit
    }
}

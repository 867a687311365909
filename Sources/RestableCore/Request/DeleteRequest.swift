/// Delete one row and follow its relationships (see "The rules of a delete").
public struct DeleteRequest: Sendable, Hashable {
    public var resource: String
    public var key: KeyInput
    public var precondition: Precondition
    /// Ignore-missing, dry run, max-affected and the summary's limit apply; with one target,
    /// strict and lenient handling give the same answer.
    public var options: DeleteOptions

    public init(resource: String, key: KeyInput, precondition: Precondition = .none, options: DeleteOptions) {
        self.resource = resource
        self.key = key
        self.precondition = precondition
        self.options = options
    }

    /// - Parameters:
    ///   - ignoreMissing: a missing row succeeds with an empty summary instead of failing with `notFound`.
    ///   - dryRun: run the delete, report it, and roll it back.
    ///   - summaryLimit: how many rows the summary lists at most (nil: the engine's default).
    public init(
        resource: String, key: KeyInput, precondition: Precondition = .none, ignoreMissing: Bool = false, dryRun: Bool = false,
        summaryLimit: Int? = nil
    ) {
        self.init(
            resource: resource, key: key, precondition: precondition,
            options: DeleteOptions(ignoreMissing: ignoreMissing, dryRun: dryRun, summaryLimit: summaryLimit))
    }
}

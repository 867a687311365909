/// One row to delete, by key, with what must hold before it goes.
public struct KeyedTarget: Sendable, Hashable {
    public var key: KeyInput
    public var precondition: Precondition

    public init(key: KeyInput, precondition: Precondition = .none) {
        self.key = key
        self.precondition = precondition
    }
}

/// Targets delivered a chunk at a time, so that a request of a million keys is never held as a
/// million values at once. A dialect implements it over its body; ``KeyList`` holds keys in memory.
public protocol TargetSource: Sendable {
    /// The next targets, at most `limit`; empty once every target has been delivered.
    /// Throws `invalidBody` or `invalidKey` for malformed input.
    mutating func next(upTo limit: Int) throws(RestableError) -> [KeyedTarget]
}

/// Targets already in memory (a few keys, a query-string list).
public struct KeyList: TargetSource {
    private var targets: [KeyedTarget]
    private var position = 0

    public init(_ targets: [KeyedTarget]) {
        self.targets = targets
    }

    public mutating func next(upTo limit: Int) throws(RestableError) -> [KeyedTarget] {
        let end = min(position + limit, targets.count)
        defer { position = end }
        return Array(targets[position..<end])
    }
}

/// Which rows of the addressed resource a many-row delete targets.
public enum DeleteSelection: Sendable {
    /// Rows by key; a missing key is a failure (`notFound`) unless missing rows are ignored.
    case keys(any TargetSource)
    /// Every row matching the filter (which must hold a condition), each under the same
    /// precondition (`.none`, or `.override` for a resource whose locking is required).
    case filter(FilterExpression, Precondition)
    /// Every row of the resource. Only when the client said so explicitly.
    case everyRow(Precondition)
}

/// What to do when some targets cannot be deleted.
public enum FailureHandling: String, Sendable, Hashable {
    /// All or nothing: one failure and nothing changes.
    case strict
    /// Every target that can go goes; each target's cascade is atomic with it.
    case lenient
}

/// The options of a many-row delete.
public struct DeleteOptions: Sendable, Hashable {
    /// A missing row succeeds with nothing deleted instead of failing with `notFound`.
    public var ignoreMissing: Bool
    public var handling: FailureHandling
    /// Run everything, report, and roll back.
    public var dryRun: Bool
    /// Refuse, changing nothing, a delete of more rows of the addressed resource than this.
    public var maxAffected: Int?
    /// How many rows the summary lists at most (nil: the engine's default); counts are always complete.
    public var summaryLimit: Int?
    /// Make a preview (a dry run), or commit only what a preview pinned.
    public var preview: PreviewMode?
    /// Remove rows in the trash for good (a resource with soft delete): the targets are rows in
    /// the trash only, and the delete is a hard one, with every rule of a delete.
    public var purge: Bool

    public init(
        ignoreMissing: Bool = false, handling: FailureHandling = .strict, dryRun: Bool = false, maxAffected: Int? = nil,
        summaryLimit: Int? = nil, preview: PreviewMode? = nil, purge: Bool = false
    ) {
        self.ignoreMissing = ignoreMissing
        self.handling = handling
        self.dryRun = dryRun
        self.maxAffected = maxAffected
        self.summaryLimit = summaryLimit
        self.preview = preview
        self.purge = purge
    }
}

/// What a delete does with a ``Preview``.
public enum PreviewMode: Sendable, Hashable {
    /// A dry run that answers the tag of every row it would touch, and keeps that preview.
    case make
    /// Go ahead only when the delete touches exactly the rows of the preview with this tag,
    /// each unchanged; otherwise `previewMismatch` naming the rows that differ, and nothing changes.
    case expect(String)
}

/// Delete many rows of one resource (and follow their relationships) in one transaction.
public struct BulkDeleteRequest: Sendable {
    public var resource: String
    public var selection: DeleteSelection
    public var options: DeleteOptions

    public init(resource: String, selection: DeleteSelection, options: DeleteOptions = DeleteOptions()) {
        self.resource = resource
        self.selection = selection
        self.options = options
    }
}

/// Whether every target of a request went, some, or none.
public enum OutcomeKind: String, Sendable, Hashable {
    case all, partial, none
}

/// A target that could not be changed, and why.
public struct TargetFailure: Sendable {
    /// The target's key, when it has one.
    public var key: Key?
    /// The target's position in the request (for batches), from 0.
    public var index: Int?
    public var error: RestableError

    public init(key: Key?, index: Int? = nil, error: RestableError) {
        self.key = key
        self.index = index
        self.error = error
    }
}

/// How many rows of each resource a request deleted, updated or inserted, in the order the
/// resources were first touched.
public struct ChangeCounts: Sendable, Hashable {
    public private(set) var resources: [String] = []
    private var counts: [String: [ChangeVerb: Int]] = [:]

    public init() {}

    /// `count` rows of one resource with one verb.
    public init(_ verb: ChangeVerb, _ resource: String, _ count: Int = 1) {
        add(verb, resource, count)
    }

    mutating func add(_ verb: ChangeVerb, _ resource: String, _ count: Int = 1) {
        if counts[resource] == nil { resources.append(resource) }
        counts[resource, default: [:]][verb, default: 0] += count
    }

    public func count(_ verb: ChangeVerb, of resource: String) -> Int {
        counts[resource]?[verb] ?? 0
    }

    /// The verbs counted for a resource, in INSERT, UPDATE, DELETE order.
    public func verbs(of resource: String) -> [(ChangeVerb, Int)] {
        [ChangeVerb.insert, .update, .delete].compactMap { verb in counts[resource]?[verb].map { (verb, $0) } }
    }

    public var total: Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

    /// The counts as log metadata: `customer.delete` = 1, `lineitem.update` = 2.
    var logged: [String: Int] {
        var entries: [String: Int] = [:]
        for resource in resources {
            for (verb, count) in verbs(of: resource) { entries["\(resource).\(verb.rawValue.lowercased())"] = count }
        }
        return entries
    }
}

/// The result of a delete or a batch: every row it touched (the summary, capped), the counts,
/// and every target that failed.
public struct ChangeOutcome: Sendable {
    /// The rows touched, targets first, each followed by its dependents; at most the summary limit.
    public var changes: [Change]
    /// True when more rows were touched than ``changes`` lists.
    public var truncated: Bool
    public var counts: ChangeCounts
    /// How many targets went: rows of the addressed resource for a delete, operations for a batch.
    public var succeeded: Int
    /// The targets that could not go, in request order: all of them, or the first ones when
    /// ``failuresTruncated``.
    public var failures: [TargetFailure]
    /// How many targets could not go.
    public var failureCount: Int
    /// The keys of every target that could not go.
    public var failedKeys: KeySet
    public var kind: OutcomeKind
    /// True when nothing was committed because the request asked for a dry run.
    public var dryRun: Bool
    /// The journal's id of the committed transaction (nil: not journaled, or nothing committed).
    public var transaction: String?
    /// A dry run's preview tag (`P:...`), when it made one.
    public var preview: String?
    /// True when every failure, listed or not, is a missing row.
    private var allFailuresMissing: Bool

    public init(
        changes: [Change] = [], truncated: Bool = false, counts: ChangeCounts = ChangeCounts(), succeeded: Int = 0,
        failures: [TargetFailure] = [], kind: OutcomeKind = .all, dryRun: Bool = false
    ) {
        self.changes = changes
        self.truncated = truncated
        self.counts = counts
        self.succeeded = succeeded
        self.failures = failures
        self.failureCount = failures.count
        var keys = KeySet()
        for failure in failures { if let key = failure.key { keys.insert(key) } }
        self.failedKeys = keys
        self.allFailuresMissing = failures.allSatisfy { $0.error.code == .notFound }
        self.kind = kind
        self.dryRun = dryRun
    }

    init(
        changes: [Change] = [], truncated: Bool = false, counts: ChangeCounts = ChangeCounts(), succeeded: Int = 0,
        failures: FailureList, kind: OutcomeKind, dryRun: Bool
    ) {
        self.init(changes: changes, truncated: truncated, counts: counts, succeeded: succeeded, failures: failures.sorted, kind: kind, dryRun: dryRun)
        self.failureCount = failures.count
        self.failedKeys = failures.keys
        self.allFailuresMissing = failures.everyOneMissing
    }

    /// True when more targets failed than ``failures`` lists.
    public var failuresTruncated: Bool { failureCount > failures.count }

    /// True when every failure is a missing row (a dialect may answer 404 rather than 409).
    public var everyFailureIsMissing: Bool {
        failureCount > 0 && allFailuresMissing
    }
}

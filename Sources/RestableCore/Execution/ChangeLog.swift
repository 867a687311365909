/// Collects the summary of a request: the first rows touched (up to a limit) and a count of all.
///
/// A checkpoint and a restore undo what a failed target added, as its savepoint undoes its rows.
struct ChangeLog: Sendable {
    let limit: Int
    private(set) var changes: [Change] = []
    private(set) var counts = ChangeCounts()
    private(set) var truncated = false
    /// Rows deleted or detached by the deletes of the request so far, by the resource whose
    /// delete removed them (each charged to the hourly budget of the roles that may delete it).
    private(set) var removedRowsByResource: [String: Int] = [:]
    /// Rows deleted or detached by the deletes of the request so far (for the row budget).
    var removedRows: Int { removedRowsByResource.values.reduce(0, +) }

    init(limit: Int) {
        self.limit = limit
    }

    mutating func record(_ verb: ChangeVerb, _ rows: [Row], of resource: Resource) {
        guard !rows.isEmpty else { return }
        counts.add(verb, resource.name, rows.count)
        for row in rows {
            if changes.count < limit {
                changes.append(Change(resource: resource, verb: verb, row: row))
            } else {
                truncated = true
                break
            }
        }
    }

    /// How many more rows the summary may list.
    var remaining: Int { max(0, limit - changes.count) }

    /// Adds what one applied plan did (its summary already capped at ``remaining``).
    mutating func append(_ more: [Change], counts counted: ChangeCounts, truncated wasTruncated: Bool, deleting resource: String) {
        removedRowsByResource[resource, default: 0] += counted.total
        changes.append(contentsOf: more.prefix(remaining))
        for resource in counted.resources {
            for (verb, count) in counted.verbs(of: resource) { counts.add(verb, resource, count) }
        }
        if wasTruncated || more.count > remaining { truncated = true }
    }

    /// The outcome of a request that ends with this log: `all` without failures; `none` when
    /// nothing succeeded or handling is strict (its summary and counts then report nothing,
    /// as nothing will be committed); otherwise `partial`.
    func outcome(succeeded: Int, failures: [TargetFailure], options: DeleteOptions) -> ChangeOutcome {
        let kind: OutcomeKind = failures.isEmpty ? .all : (succeeded == 0 || options.handling == .strict ? .none : .partial)
        if kind == .none {
            return ChangeOutcome(failures: failures, kind: .none, dryRun: options.dryRun)
        }
        return ChangeOutcome(
            changes: changes, truncated: truncated, counts: counts, succeeded: succeeded, failures: failures, kind: kind,
            dryRun: options.dryRun)
    }

    struct Checkpoint {
        fileprivate let changeCount: Int
        fileprivate let counts: ChangeCounts
        fileprivate let truncated: Bool
        fileprivate let removedRowsByResource: [String: Int]
    }

    var checkpoint: Checkpoint {
        Checkpoint(changeCount: changes.count, counts: counts, truncated: truncated, removedRowsByResource: removedRowsByResource)
    }

    mutating func restore(_ checkpoint: Checkpoint) {
        changes.removeSubrange(checkpoint.changeCount...)
        counts = checkpoint.counts
        truncated = checkpoint.truncated
        removedRowsByResource = checkpoint.removedRowsByResource
    }
}

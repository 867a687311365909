/// The engine's changing entry points as callers see them: each runs its request and tells
/// the ``Engine/observer`` when the request was refused (a committed change it hears of from
/// the change's log line).
extension Engine {
    /// Deletes many rows of one resource in one transaction (see ``BulkDeleteRequest`` and
    /// ``unobservedDeleteMany(_:)``): throws only for the request as a whole; the failures of
    /// single targets are in the outcome.
    public func deleteMany(_ request: BulkDeleteRequest) async throws(RestableError) -> ChangeOutcome {
        try await observed(request.options.purge ? "purge" : "delete", resource: request.resource) { () async throws(RestableError) in
            try await unobservedDeleteMany(request)
        }
    }

    /// Runs a batch's operations in order in one transaction (see ``unobservedBatch(_:)``). A
    /// refused batch counts as a refused delete when it deletes.
    public func batch(_ request: BatchRequest) async throws(RestableError) -> ChangeOutcome {
        let deletes = request.operations.contains {
            switch $0 {
            case .delete, .deleteMatching: true
            case .insert, .update: false
            }
        }
        guard deletes else { return try await unobservedBatch(request) }
        return try await observed("batch", resource: nil) { () async throws(RestableError) in try await unobservedBatch(request) }
    }

    /// Takes a row out of the trash with what its delete put there (see ``unobservedUndelete(_:)``).
    public func undelete(_ request: UndeleteRequest) async throws(RestableError) -> ChangeOutcome {
        try await observed("undelete", resource: request.resource) { () async throws(RestableError) in try await unobservedUndelete(request) }
    }

    /// Puts back what a journaled transaction deleted, or refuses whole (see ``unobservedUndo(_:)``).
    public func undo(_ request: UndoRequest) async throws(RestableError) -> ChangeOutcome {
        try await observed("undo", resource: nil) { () async throws(RestableError) in try await unobservedUndo(request) }
    }

    /// Runs `body`, telling the observer of a refusal: a thrown error, or an outcome in which
    /// nothing went (`notFound` when every target was missing, the failures' code when they
    /// share one, else `batchFailed`).
    private func observed(
        _ action: String, resource: String?, _ body: () async throws(RestableError) -> ChangeOutcome
    ) async throws(RestableError) -> ChangeOutcome {
        guard let observer else { return try await body() }
        // Only a served resource names a series: a client's made-up name must not make one.
        let resource = resource.flatMap { schema.resource(named: $0)?.name }
        do {
            let outcome = try await body()
            if outcome.kind == .none, let first = outcome.failures.first {
                let code: RestableError.Code =
                    outcome.everyFailureIsMissing
                    ? .notFound : outcome.failures.allSatisfy({ $0.error.code == first.error.code }) ? first.error.code : .batchFailed
                observer.refused(action, resource: resource, code: code)
            }
            return outcome
        } catch {
            observer.refused(action, resource: resource, code: error.code)
            throw error
        }
    }
}

/// Hears what an engine does, for a server's metrics. It never changes an outcome, and is
/// called after the fact: a change once committed, a refusal once decided.
public protocol EngineObserver: Sendable {
    /// A change committed: `action` is `insert`, `update`, `delete`, `purge`, `batch`, `undo` or
    /// `undelete`; `counts` its rows by resource and verb.
    func committed(_ action: String, counts: ChangeCounts)
    /// A delete, batch or undo that changed nothing because it was refused, with the error's
    /// code (`notFound` when every target was missing). `resource` is nil for a batch or undo.
    func refused(_ action: String, resource: String?, code: RestableError.Code)
    /// A store transaction is about to wait for its connection and run (`started`), or is over.
    func transaction(write: Bool, started: Bool)
}

/// Restable's own tables, created beside the served ones when a configuration needs them and
/// never served as resources: kept in the database so that every server on it shares them.
public enum RestableTables {
    /// The rows each caller deleted or detached, one entry per committed delete, for the
    /// hourly budget (entries older than an hour are removed as budgets are charged).
    public static let rowBudget = Resource(
        name: "restable_row_budget", key: ["id"],
        columns: [
            Column(name: "id", type: .integer, generated: true),
            Column(name: "principal", type: .text, required: true),
            Column(name: "at_ms", type: .integer, required: true),
            Column(name: "row_count", type: .integer, required: true),
        ], optimisticLocking: .off)

    /// Signed-in sessions (Buzz's `/rest/login`): the SHA-256 digest of each session token
    /// (never the token), whose user it is, and when it ends.
    public static let sessions = Resource(
        name: "restable_session", key: ["token_digest"],
        columns: [
            Column(name: "token_digest", type: .text),
            Column(name: "user_name", type: .text, required: true),
            Column(name: "created_ms", type: .integer, required: true),
            Column(name: "expires_ms", type: .integer, required: true),
        ], optimisticLocking: .off)

    /// One row per committed transaction that deleted: its id, when, who, the request, what it
    /// addressed, its counts, and the undo that took it back (or, for an undo, what it undid).
    public static let transactions = Resource(
        name: "restable_transaction", key: ["id"],
        columns: [
            Column(name: "id", type: .text),
            Column(name: "at_ms", type: .integer, required: true),
            Column(name: "principal", type: .text),
            Column(name: "request_id", type: .text),
            Column(name: "action", type: .text, required: true),
            Column(name: "resource", type: .text),
            Column(name: "counts", type: .text, required: true),
            Column(name: "row_count", type: .integer, required: true),
            Column(name: "complete", type: .boolean, required: true),
            Column(name: "undo_of", type: .text),
            Column(name: "undone_by", type: .text),
        ], optimisticLocking: .off)

    /// What each journaled transaction did, a statement at a time: the rows it deleted with
    /// their values before, the rows whose columns it set to null (with those columns), and
    /// the rows an undo put back; in ``JournalCodec``'s text.
    public static let journal = Resource(
        name: "restable_journal", key: ["id"],
        columns: [
            Column(name: "id", type: .integer, generated: true),
            Column(name: "transaction_id", type: .text, required: true),
            Column(name: "resource", type: .text, required: true),
            Column(name: "action", type: .text, required: true),
            Column(name: "columns", type: .text, required: true),
            Column(name: "cleared", type: .text),
            Column(name: "row_count", type: .integer, required: true),
            Column(name: "rows", type: .text, required: true),
        ], optimisticLocking: .off)

    /// The journal's two tables, the entries pointing at their transaction (indexed).
    public static let journalSchema = Schema(
        resources: [transactions, journal],
        relationships: [Relationship(parent: transactions.name, child: journal.name, columns: ["transaction_id"], onDelete: .cascade)])

    /// Previews of deletes (a dry run's `P:` tag), each with every row it pinned (resource,
    /// verb, checksum and key, in ``JournalCodec``'s text), so that a delete that no longer
    /// matches its preview can name the rows that differ. Kept for ``Engine/previewRetention``.
    public static let previews = Resource(
        name: "restable_preview", key: ["tag"],
        columns: [
            Column(name: "tag", type: .text),
            Column(name: "at_ms", type: .integer, required: true),
            Column(name: "resource", type: .text, required: true),
            Column(name: "row_count", type: .integer, required: true),
            Column(name: "rows", type: .text, required: true),
            Column(name: "principal", type: .text),
        ], optimisticLocking: .off)

    /// Long deletes run as jobs (`Prefer: respond-async`): each job's state, progress and,
    /// once it is done, the answer its request gave. Kept in the database so that any server
    /// answers for a job; `server` names the process running it and `updated_ms` is its
    /// heartbeat (see ``Engine/jobStatus(_:)``).
    public static let jobs = Resource(
        name: "restable_job", key: ["id"],
        columns: [
            Column(name: "id", type: .text),
            Column(name: "mount", type: .text, required: true),
            Column(name: "request", type: .text, required: true),
            Column(name: "principal", type: .text),
            Column(name: "server", type: .text, required: true),
            Column(name: "state", type: .text, required: true),
            Column(name: "phase", type: .text, required: true),
            Column(name: "rows_done", type: .integer, required: true),
            Column(name: "cancel_requested", type: .boolean, required: true),
            Column(name: "created_ms", type: .integer, required: true),
            Column(name: "updated_ms", type: .integer, required: true),
            Column(name: "finished_ms", type: .integer),
            Column(name: "status", type: .integer),
            Column(name: "response", type: .text),
            Column(name: "response_headers", type: .text),
            Column(name: "transaction_id", type: .text),
            Column(name: "detail", type: .text),
        ], optimisticLocking: .off)

    /// The names of every table Restable keeps for itself: introspection never serves them.
    public static let names: Set<String> = [rowBudget.table, sessions.table, transactions.table, journal.table, previews.table, jobs.table]
}

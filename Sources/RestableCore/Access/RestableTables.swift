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
}

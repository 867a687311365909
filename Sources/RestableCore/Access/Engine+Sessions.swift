/// Signed-in sessions, kept in ``RestableTables/sessions`` so that every server on the
/// database accepts a session any of them opened. Only a digest of each token is stored.
extension Engine {
    /// Opens a session for `user` that ends `lifetime` milliseconds from now (expired sessions
    /// are removed on the way); returns when it ends.
    public func openSession(digest: String, user: String, lifetime: Int64) async throws(RestableError) -> Int64 {
        let now = clock()
        let expires = now + lifetime
        try await run(write: true) { session in
            _ = try await session.delete(RestableTables.sessions, where: RowPredicate([.compare(column: "expires_ms", .lte, .integer(now))]))
            _ = try await session.insert(
                RestableTables.sessions,
                values: ["token_digest": .text(digest), "user_name": .text(user), "created_ms": .integer(now), "expires_ms": .integer(expires)])
        }
        return expires
    }

    /// The user of the session whose token has this digest, unless it has ended.
    public func sessionUser(digest: String) async throws(RestableError) -> String? {
        let now = clock()
        let rows = try await run(write: false) { session in
            try await session.select(
                RestableTables.sessions,
                where: RowPredicate([.compare(column: "token_digest", .eq, .text(digest)), .compare(column: "expires_ms", .gt, .integer(now))]))
        }
        guard case .text(let user)? = rows.first?["user_name"] else { return nil }
        return user
    }

    /// Ends the session (nothing happens for one that does not exist).
    public func closeSession(digest: String) async throws(RestableError) {
        try await run(write: true) { session in
            _ = try await session.delete(RestableTables.sessions, where: RowPredicate([.compare(column: "token_digest", .eq, .text(digest))]))
        }
    }
}

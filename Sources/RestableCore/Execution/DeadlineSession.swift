import Foundation

/// A store session that refuses to go on once its request is past its deadline: every call
/// checks the clock first, so a request that runs too long stops at its next statement and its
/// transaction rolls back. The statement already running is bounded by the statement timeout.
struct DeadlineSession: StoreSession {
    let base: any StoreSession
    let deadline: ContinuousClock.Instant
    let timeout: Duration

    func check() throws(RestableError) {
        guard ContinuousClock.now < deadline else { throw Self.expired(timeout) }
    }

    static func expired(_ timeout: Duration) -> RestableError {
        RestableError(
            .timedOut,
            "the request ran past the request timeout of \(Self.seconds(timeout)) and was rolled back; nothing changed: send it in smaller parts")
    }

    /// `2.5 s`, for messages.
    static func seconds(_ duration: Duration) -> String {
        let parts = duration.components
        let seconds = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
        return String(format: "%g s", seconds)
    }

    func select(_ resource: Resource, where predicate: RowPredicate, order: [SortKey], limit: Int?, offset: Int?) async throws -> [Row] {
        try check()
        return try await base.select(resource, where: predicate, order: order, limit: limit, offset: offset)
    }

    func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        try check()
        return try await base.count(resource, where: predicate)
    }

    func insert(_ resource: Resource, values: [String: Value]) async throws -> Row {
        try check()
        return try await base.insert(resource, values: values)
    }

    func append(_ resource: Resource, values: [String: Value]) async throws {
        try check()
        try await base.append(resource, values: values)
    }

    func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int {
        try check()
        return try await base.update(resource, where: predicate, set: values)
    }

    func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int {
        try check()
        return try await base.delete(resource, where: predicate)
    }

    func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) async throws -> [Row] {
        try check()
        return try await base.delete(resource, where: predicate, returning: columns)
    }

    func deleteJournaling(_ resource: Resource, where predicate: RowPredicate, columns: [Column]) async throws -> JournaledRows {
        try check()
        return try await base.deleteJournaling(resource, where: predicate, columns: columns)
    }

    func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try check()
        return try await base.savepoint(body)
    }

    func serialize(on name: String) async throws {
        try check()
        try await base.serialize(on: name)
    }
}

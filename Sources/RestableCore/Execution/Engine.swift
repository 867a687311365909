public import Logging

/// The engine: plans each request against the schema and runs it in one store transaction.
///
/// ```swift
/// let engine = Engine(schema: schema, store: store)
/// let outcome = try await engine.delete(DeleteRequest(resource: "customer", key: .parts(["New Customer"])))
/// ```
/// Every method throws only ``RestableError``; store failures are translated here.
public struct Engine: Sendable {
    public let schema: Schema
    public let planner: Planner
    let store: any Store
    let logger: Logger
    /// How many rows a summary lists unless a request asks for fewer; counts are always complete.
    public let summaryLimit: Int

    public static let defaultSummaryLimit = 1_000

    public init(
        schema: Schema, store: any Store, summaryLimit: Int = Engine.defaultSummaryLimit,
        logger: Logger = Logger(label: "restable.engine")
    ) {
        self.schema = schema
        self.planner = Planner(schema: schema)
        self.store = store
        self.summaryLimit = summaryLimit
        self.logger = logger
    }

    /// Rows of a resource matching the request's filters, ordered by key.
    public func list(_ request: ListRequest) async throws(RestableError) -> [Row] {
        let plan = try planner.plan(request)
        return try await run(write: false) { session in
            try await session.select(plan.resource, where: plan.predicate, limit: plan.limit, offset: plan.offset)
        }
    }

    /// One row by key, or `notFound`.
    public func get(resource name: String, key input: KeyInput) async throws(RestableError) -> Row {
        let resource = try schema.require(name)
        let key = try planner.key(input, of: resource)
        let rows = try await run(write: false) { session in
            try await session.select(resource, where: .key(key, of: resource))
        }
        guard let row = rows.first else { throw Self.notFound(resource, key) }
        return row
    }

    /// Inserts one row and returns it as stored.
    public func create(_ request: CreateRequest) async throws(RestableError) -> Row {
        let plan = try planner.plan(request)
        return try await run(write: true) { session in
            try await self.insert(plan, in: session)
        }
    }

    /// Updates one row, after checking its precondition, and returns it as stored.
    public func update(_ request: UpdateRequest) async throws(RestableError) -> Row {
        let plan = try planner.plan(request)
        return try await run(write: true) { session in
            try await self.update(plan, in: session)
        }
    }

    /// Inserts a checked row inside an open transaction.
    func insert(_ plan: InsertPlan, in session: any StoreSession) async throws -> Row {
        try await checkConflicts(plan.values, of: plan.resource, excluding: nil, in: session)
        return try await session.insert(plan.resource, values: plan.values)
    }

    /// Updates a row inside an open transaction; returns it as it was and as it is.
    @discardableResult
    func update(_ plan: UpdatePlan, in session: any StoreSession) async throws -> Row {
        let predicate = RowPredicate.key(plan.key, of: plan.resource)
        guard let row = try await session.select(plan.resource, where: predicate).first else {
            throw Self.notFound(plan.resource, plan.key)
        }
        try plan.precondition.check(row, in: plan.resource)
        guard !plan.values.isEmpty else { return row }
        try await checkConflicts(plan.values, of: plan.resource, excluding: plan.key, in: session)
        _ = try await session.update(plan.resource, where: predicate, set: plan.values)
        guard let updated = try await session.select(plan.resource, where: predicate).first else {
            throw Self.notFound(plan.resource, plan.key)
        }
        return updated
    }

    static func notFound(_ resource: Resource, _ key: Key) -> RestableError {
        RestableError(.notFound, "\(resource.name) \(key) does not exist", resource: resource.name, key: key)
    }

    /// Runs `body` in a transaction and narrows every error to ``RestableError``. A body that
    /// throws ``RollbackSignal`` rolls back and returns the signal's outcome.
    func run<T: Sendable>(
        write: Bool, _ body: @escaping @Sendable (any StoreSession) async throws -> T
    ) async throws(RestableError) -> T {
        do {
            return write ? try await store.write(body) : try await store.read(body)
        } catch let signal as RollbackSignal {
            guard let value = signal.outcome as? T else {
                throw RestableError(.internalError, "the request failed inside the server; the server log has the details")
            }
            return value
        } catch let error as RestableError {
            throw error
        } catch is CancellationError {
            logger.notice("request cancelled before it committed; rolled back")
            throw RestableError(.cancelled, "the request was cancelled before it committed; nothing was changed")
        } catch {
            logger.error("store failure", metadata: ["error": "\(String(reflecting: error))"])
            throw RestableError(.internalError, "the request failed inside the database; the server log has the details")
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RestableApp
import RestableCore
import RestableHTTP
import RestableTestSupport
import Synchronization
import Testing

/// Long deletes as jobs: `Prefer: respond-async`, `GET` and `DELETE` on `/api/_jobs/{id}`.
@Suite struct NativeJobsTests {
    static let async: HTTPFields = [HTTPField.Name("Prefer")!: "respond-async"]

    /// Waits until the job at `href` has ended and returns its status.
    static func ended(_ client: DemoClient, _ href: String) async throws -> JSON {
        // Up to a minute: CI runs every suite at once on two cores.
        for _ in 0..<2400 {
            let reply = try await client.send(.get, href)
            #expect(reply.status == .ok)
            let job = try #require(reply.json)
            if job["finished"] != nil { return job }
            #expect(reply.headers[.retryAfter] == "1")
            try await Task.sleep(for: .milliseconds(25))
        }
        throw CancellationError()
    }

    @Test func aJobAnswersWhatTheRequestWouldHave() async throws {
        try await withDemoApp { client in
            let started = try await client.send(.delete, "/api/customer/Golf%20Industries", headers: Self.async)
            #expect(started.status == .accepted)
            #expect(started.headers[HTTPField.Name("Preference-Applied")!] == "respond-async")
            let href = try #require(started.headers[.location])
            #expect(href.hasPrefix("/api/_jobs/"))
            #expect(started.json?["href"]?.stringValue == href)
            #expect(started.json?["state"]?.stringValue == "running")
            let job = try await Self.ended(client, href)
            #expect(job["state"]?.stringValue == "completed")
            #expect(job["phase"]?.stringValue == "finished")
            // The customer, its two orders and their three lines: rows of the served tables only.
            #expect(job["rows"]?.integerValue == 6)
            #expect(job["response"]?["status"]?.integerValue == 200)
            let body = try #require(job["response"]?["body"])
            #expect(body["txsummary"]?.arrayValue?.count == 6)
            let transaction = try #require(body["transaction"]?.stringValue)
            #expect(job["transaction"]?.stringValue == transaction)
            #expect(try await client.send(.get, "/api/_transactions/\(transaction)").status == .ok)
            #expect(try await client.send(.get, "/api/customer/Golf%20Industries").status == .notFound)

            let cancel = try await client.send(.delete, href)
            #expect(cancel.status == .conflict)
            #expect(cancel.code == "jobFinished")
            #expect(cancel.json?["detail"]?.stringValue?.contains("/api/_transactions/\(transaction)/undo") == true)
        }
    }

    @Test func refusalsDryRunsAndBatchesRunAsJobsToo() async throws {
        try await withDemoApp { client in
            // A refusal is the job's answer, as it would have been the request's.
            let restricted = try await client.send(.delete, "/api/advertiser/3", headers: Self.async)
            let refused = try await Self.ended(client, try #require(restricted.headers[.location]))
            #expect(refused["state"]?.stringValue == "completed")
            #expect(refused["response"]?["status"]?.integerValue == 409)
            #expect(refused["response"]?["body"]?["code"]?.stringValue == "restricted")
            #expect(refused["transaction"] == nil)

            let dry = try await client.send(.delete, "/api/customer/Golf%20Industries?dryrun", headers: Self.async)
            let preview = try await Self.ended(client, try #require(dry.headers[.location]))
            #expect(preview["response"]?["body"]?["dryRun"] == .bool(true))
            #expect(try await client.send(.get, "/api/customer/Golf%20Industries").status == .ok)

            let many = try await client.send(
                .delete, "/api/line_item", headers: [HTTPField.Name("Prefer")!: "respond-async, handling=lenient", .contentType: "application/json"],
                body: "[[1,1],[99,9]]")
            // The 202 applied respond-async; the job's answer says what shaped it.
            #expect(many.headers[HTTPField.Name("Preference-Applied")!] == "respond-async")
            let partial = try await Self.ended(client, try #require(many.headers[.location]))
            #expect(partial["response"]?["body"]?["outcome"]?.stringValue == "partial")
            #expect(partial["response"]?["headers"]?["Preference-Applied"]?.stringValue == "respond-async, handling=lenient")
            #expect(partial["rows"]?.integerValue == 1)
            #expect(preview["rows"]?.integerValue == 0)
            #expect(refused["rows"]?.integerValue == 0)

            let operations = #"[{"@metadata":{"action":"DELETE","href":"/api/line_item/1,2"}}]"#
            let batch = try await client.send(
                .post, "/api", headers: [HTTPField.Name("Prefer")!: "respond-async", .contentType: "application/json"], body: operations)
            #expect(batch.status == .accepted)
            let batched = try await Self.ended(client, try #require(batch.headers[.location]))
            #expect(batched["response"]?["status"]?.integerValue == 200)
            #expect(batched["request"]?.stringValue == "POST /api (with a body of \(operations.utf8.count) bytes)")
            #expect(try await client.send(.get, "/api/line_item/1,2").status == .notFound)
        }
    }

    @Test func badRequestsAreRefusedBeforeAnyJobStarts() async throws {
        try await withDemoApp { client in
            let prefer = HTTPField.Name("Prefer")!
            let refused: [(HTTPRequest.Method, String, HTTPFields, Int, String)] = [
                (.delete, "/api/customer/Golf%20Industries", [prefer: "respond-async=1"], 400, "invalidHeader"),
                (.delete, "/api/customer/Golf%20Industries", [prefer: "respond-async; wait=5"], 400, "invalidHeader"),
                (.get, "/api/customer", [prefer: "respond-async"], 400, "invalidHeader"),
                (.patch, "/api/customer/Golf%20Industries", [prefer: "respond-async", .contentType: "application/json"], 400, "invalidHeader"),
                (.post, "/api/customer/Golf%20Industries/undelete", [prefer: "respond-async"], 400, "invalidHeader"),
                (.post, "/api/_transactions/1764982800123-3fa9c2b1d07e/undo", [prefer: "respond-async"], 400, "invalidHeader"),
                // Checked before a job is made: a malformed key, a typo in an option, no selection.
                (.delete, "/api/line_item/1", [prefer: "respond-async"], 400, "invalidKey"),
                (.delete, "/api/customer/Golf%20Industries?dryrun=maybe", [prefer: "respond-async"], 400, "invalidQuery"),
                (.delete, "/api/customer", [prefer: "respond-async"], 400, "unboundedDelete"),
                (.delete, "/api/nothing/1", [prefer: "respond-async"], 404, "unknownResource"),
                // The jobs' own routes.
                (.get, "/api/_jobs", [:], 404, "notFound"),
                (.get, "/api/_jobs/not-a-job", [:], 404, "notFound"),
                (.get, "/api/_jobs/3d02a746-1b4f-44c9-a4e3-f765e4758e1e", [:], 404, "notFound"),
                (.get, "/api/_jobs/3D02A746-1B4F-44C9-A4E3-F765E4758E1E", [:], 404, "notFound"),
                (.delete, "/api/_jobs/3d02a746-1b4f-44c9-a4e3-f765e4758e1e", [:], 404, "notFound"),
                (.put, "/api/_jobs/3d02a746-1b4f-44c9-a4e3-f765e4758e1e", [:], 405, "methodNotAllowed"),
                (.get, "/api/_jobs/3d02a746-1b4f-44c9-a4e3-f765e4758e1e?x=1", [:], 400, "invalidQuery"),
                (.get, "/api/_jobs/3d02a746-1b4f-44c9-a4e3-f765e4758e1e", [.ifMatch: "*"], 400, "invalidHeader"),
                (.get, "/api/_jobs/3d02a746-1b4f-44c9-a4e3-f765e4758e1e", [prefer: "respond-async"], 400, "invalidHeader"),
                (.get, "/api/_jobs/3d02a746-1b4f-44c9-a4e3-f765e4758e1e/more", [:], 404, "notFound"),
            ]
            for (method, path, headers, status, code) in refused {
                let reply = try await client.send(method, path, headers: headers, body: method == .patch ? "{}" : nil)
                #expect(Int(reply.status.code) == status, "\(method) \(path) \(headers)")
                #expect(reply.code == code, "\(method) \(path) \(headers): \(reply.text)")
                #expect(reply.headers[.location] == nil)
            }
            #expect(try await client.send(.put, "/api/_jobs/3d02a746-1b4f-44c9-a4e3-f765e4758e1e").headers[.allow] == "GET, HEAD, DELETE")
            #expect(try await client.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test func aJobCancelledHalfWayChangesNothing() async throws {
        try await withPausingApp { client, pause in
            let started = try await client.send(.delete, "/api/customer/Golf%20Industries", headers: Self.async)
            let href = try #require(started.headers[.location])
            try await pause.reached()
            // Half-way: rows are gone inside the open transaction, and the job says so.
            let running = try #require(try await client.send(.get, href).json)
            #expect(running["state"]?.stringValue == "running")
            #expect((running["rows"]?.integerValue ?? 0) > 0)
            #expect(["deleting", "journaling"].contains(running["phase"]?.stringValue ?? ""))

            let cancel = try await client.send(.delete, href)
            #expect(cancel.status == .ok)
            #expect(cancel.json?["state"]?.stringValue == "cancelled")
            #expect(cancel.json?["rows"]?.integerValue == 0)
            #expect(cancel.json?["detail"]?.stringValue?.contains("nothing changed") == true)

            #expect(try await client.send(.get, "/api/customer/Golf%20Industries").status == .ok)
            #expect(try await client.send(.get, "/api/purchase_order?customer_name=eq.Golf%20Industries").json?.arrayValue?.count == 2)
            #expect(try await client.send(.get, "/api/line_item/1,1").status == .ok)
            #expect(try await client.send(.get, "/api/_transactions").json?["transactions"]?.arrayValue?.isEmpty == true)
            let again = try await client.send(.delete, href)
            #expect(again.status == .conflict)
            #expect(again.json?["detail"]?.stringValue?.contains("cancelled already") == true)
        }
    }

    @Test func aCallerRunsAtMostFourJobsAtOnce() async throws {
        try await withPausingApp { client, pause in
            // On PostgreSQL each running job holds a connection of the pool (3 in the tests, and
            // at most half the pool may run jobs): the limit per caller is SQLite's to show.
            guard !pause.engine.writesConcurrently else { return }
            var jobs: [String] = []
            for _ in 0..<4 {
                let started = try await client.send(.delete, "/api/customer/Golf%20Industries", headers: Self.async)
                #expect(started.status == .accepted)
                jobs.append(try #require(started.headers[.location]))
                if jobs.count == 1 { try await pause.reached() }
            }
            let fifth = try await client.send(.delete, "/api/customer/Golf%20Industries", headers: Self.async)
            #expect(fifth.status == .tooManyRequests)
            #expect(fifth.code == "rateLimited")
            #expect(fifth.headers[.retryAfter] == "5")
            pause.release()
            var statuses: [Int64] = []
            var answers: [String] = []
            for href in jobs {
                let job = try await Self.ended(client, href)
                statuses.append(job["response"]?["status"]?.integerValue ?? 0)
                answers.append(job["response"]?["body"]?["detail"]?.stringValue ?? "")
            }
            // The first deleted the customer; the others found it gone.
            #expect(statuses == [200, 404, 404, 404], "\(answers)")
        }
    }

    @Test func aJobPastItsTimeoutRollsBack() async throws {
        try await withPausingApp(jobTimeout: .milliseconds(200)) { client, pause in
            let started = try await client.send(.delete, "/api/customer/Golf%20Industries", headers: Self.async)
            let href = try #require(started.headers[.location])
            // Past its 200 ms, whether it is held half-way or (on a loaded machine) not there yet.
            try await Task.sleep(for: .milliseconds(300))
            pause.release()
            let job = try await Self.ended(client, href)
            #expect(job["state"]?.stringValue == "completed")
            #expect(job["response"]?["status"]?.integerValue == 503)
            #expect(job["response"]?["body"]?["code"]?.stringValue == "timedOut")
            #expect(try await client.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test func aJobWhoseServerStoppedIsReportedFailedOrCompleted() async throws {
        try await withPausingApp { client, pause in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            // Records as a stopped server left them: its heartbeat a minute old.
            var running = JobRecord(id: "0f0f0f0f-0000-4000-8000-000000000001", mount: "/api", request: "DELETE /api/customer/x", principal: nil, server: "gone", at: now - 60_000)
            running.phase = .deleting
            var committed = running
            committed.id = "0f0f0f0f-0000-4000-8000-000000000002"
            committed.state = .committed
            committed.transaction = "1764982800123-3fa9c2b1d07e"
            try await pause.engine.record(running)
            try await pause.engine.record(committed)

            if pause.engine.writesConcurrently {
                // On PostgreSQL a server gives a job up once it has seen its heartbeat stand still
                // for 15 seconds by its own clock (serversShareJobsOnPostgres shows it): not at
                // first sight, whatever the record's time says.
                #expect(try await client.send(.get, "/api/_jobs/\(running.id)").json?["state"]?.stringValue == "running")
                return
            }
            let failed = try #require(try await client.send(.get, "/api/_jobs/\(running.id)").json)
            #expect(failed["state"]?.stringValue == "failed")
            #expect(failed["detail"]?.stringValue?.contains("nothing changed") == true)
            let done = try #require(try await client.send(.get, "/api/_jobs/\(committed.id)").json)
            #expect(done["state"]?.stringValue == "completed")
            #expect(done["transaction"]?.stringValue == committed.transaction)
            #expect(done["response"] == nil)
            #expect(done["detail"]?.stringValue?.contains("the journal has what it did") == true)
            // Given up once, it stays so.
            #expect(try await client.send(.get, "/api/_jobs/\(running.id)").json?["finished"] == failed["finished"])
            #expect(try await client.send(.delete, "/api/_jobs/\(running.id)").code == "jobFinished")
            // Another mount's job, or a job of a caller, is not this caller's on this mount.
            var other = running
            other.id = "0f0f0f0f-0000-4000-8000-000000000003"
            other.mount = "/elsewhere"
            try await pause.engine.record(other)
            #expect(try await client.send(.get, "/api/_jobs/\(other.id)").status == .notFound)
            other.id = "0f0f0f0f-0000-4000-8000-000000000004"
            other.mount = "/api"
            other.principal = "someone"
            try await pause.engine.record(other)
            #expect(try await client.send(.get, "/api/_jobs/\(other.id)").status == .notFound)
        }
    }

    @Test(.enabled(if: PostgresScratch.isAvailable)) func serversShareJobsOnPostgres() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // Two servers' stores: two pools of connections to one database.
        let first = try await ScratchPostgresStore.create(logger: logger)
        let second = try openStore(.postgres(first.scratch.location), logger: logger)
        var configuration = try DemoConfiguration.load()
        configuration.database = .postgres(first.scratch.location)
        let (pausing, pause) = PausingStore.wrapping(first)
        let (engineA, _) = try await buildEngine(configuration, store: pausing, logger: logger)
        let (engineB, _) = try await buildEngine(configuration, store: second, logger: logger)
        defer { Task { await second.close(); await pausing.close() } }
        let serverA = JobRunner(heartbeat: .milliseconds(50), staleAfter: .seconds(1))
        let serverB = JobRunner(heartbeat: .milliseconds(50), staleAfter: .seconds(1))
        // A server whose heartbeat never comes: as a server that hangs would look.
        let silent = JobRunner(heartbeat: .seconds(3_600), staleAfter: .seconds(1))
        let delete = DeleteRequest(resource: "customer", key: .parts(["Golf Industries"]))
        let work: JobRunner.Work = { engine throws(RestableError) in
            _ = try await engine.delete(delete)
            return Response(status: .ok)
        }
        let failure: @Sendable (RestableError) -> Response = { _ in Response(status: .internalServerError) }

        // A cancel sent to another server reaches the job through the database.
        let job = try await serverA.start(engineA, mount: "/api", request: "DELETE", principal: nil, work: work, failure: failure)
        try await pause.reached()
        // Server B sees the progress server A's heartbeat writes down.
        var seen = try #require(try await serverB.status(job.id, engine: engineB))
        for _ in 0..<200 where seen.rows == 0 {
            try await Task.sleep(for: .milliseconds(10))
            seen = try #require(try await serverB.status(job.id, engine: engineB))
        }
        #expect(seen.state == .running)
        #expect(seen.rows > 0)
        #expect(seen.server == serverA.server)
        let cancelled = try #require(try await serverB.cancel(job.id, engine: engineB, wait: .seconds(10)))
        #expect(cancelled.state == .cancelled)
        #expect(try await engineB.get(resource: "customer", key: .parts(["Golf Industries"]))["name"] == .text("Golf Industries"))

        // A job whose heartbeat stops is given up by another server, and then cannot commit.
        pause.rearm()
        let stalled = try await silent.start(
            engineA, mount: "/api", request: "DELETE", principal: nil,
            work: { engine throws(RestableError) in
                _ = try await engine.delete(delete)
                return Response(status: .ok)
            }, failure: failure)
        try await pause.reached()
        // Server B sees its heartbeat stand still for a second (by its own clock), and gives it up.
        var givenUp = try #require(try await serverB.status(stalled.id, engine: engineB))
        #expect(givenUp.state == .running)
        for _ in 0..<300 where givenUp.state == .running {
            try await Task.sleep(for: .milliseconds(10))
            givenUp = try #require(try await serverB.status(stalled.id, engine: engineB))
        }
        #expect(givenUp.state == .failed)
        #expect(givenUp.rows == 0)
        pause.release()
        // The silent server goes on, finds the job given up when it comes to commit, and rolls back.
        for _ in 0..<400 where try await silent.status(stalled.id, engine: engineA)?.state.isFinal != true {
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(try await engineB.jobRecord(stalled.id)?.state == .failed)
        #expect(try await engineB.get(resource: "customer", key: .parts(["Golf Industries"]))["name"] == .text("Golf Industries"))
    }
}

/// A store whose write transactions stop at their first write to the journal (after their
/// deletes, before they commit) until released or cancelled: a job caught half-way.
final class PausingStore: Store {
    let base: any Store
    let pause: Pause

    /// Where a test waits for the pause and releases it.
    final class Pause: Sendable {
        private let state = Mutex<(armed: Bool, reached: Bool, released: Bool)>((true, false, false))
        let engine: Engine

        init(engine: Engine) { self.engine = engine }

        func reached() async throws {
            for _ in 0..<6000 {
                if state.withLock({ $0.reached }) { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw CancellationError()
        }

        func release() { state.withLock { $0.released = true } }
        func rearm() { state.withLock { $0 = (true, false, false) } }

        func hold() async {
            guard state.withLock({ state -> Bool in
                guard state.armed else { return false }
                state.armed = false
                state.reached = true
                return true
            }) else { return }
            while !state.withLock({ $0.released }), !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    init(base: any Store, pause: Pause) {
        self.base = base
        self.pause = pause
    }

    static func wrapping(_ base: any Store) -> (PausingStore, Pause) {
        let pause = Pause(engine: Engine(schema: Schema(resources: [RestableTables.jobs]), store: base))
        return (PausingStore(base: base, pause: pause), pause)
    }

    func prepare(_ schema: Schema, seed: [InsertPlan]) async throws -> [String] { try await base.prepare(schema, seed: seed) }
    func read<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T { try await base.read(body) }
    func write<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        let pause = self.pause
        return try await base.write { session in try await body(PausingSession(base: session, pause: pause)) }
    }
    func writeAlone<T: Sendable>(_ body: @Sendable (any StoreSession) async throws -> T) async throws -> T {
        let pause = self.pause
        return try await base.writeAlone { session in try await body(PausingSession(base: session, pause: pause)) }
    }
    func close() async { await base.close() }
    var writesConcurrently: Bool { base.writesConcurrently }
}

/// ``PausingStore``'s session.
struct PausingSession: StoreSession {
    let base: any StoreSession
    let pause: PausingStore.Pause

    private func holdBefore(_ resource: Resource) async {
        if RestableTables.journalSchema.resources.contains(where: { $0.table == resource.table }) { await pause.hold() }
    }

    func select(_ resource: Resource, where predicate: RowPredicate, order: [SortKey], limit: Int?, offset: Int?) async throws -> [Row] {
        try await base.select(resource, where: predicate, order: order, limit: limit, offset: offset)
    }
    func count(_ resource: Resource, where predicate: RowPredicate) async throws -> Int { try await base.count(resource, where: predicate) }
    func insert(_ resource: Resource, values: [String: Value]) async throws -> Row {
        await holdBefore(resource)
        return try await base.insert(resource, values: values)
    }
    func append(_ resource: Resource, values: [String: Value]) async throws {
        await holdBefore(resource)
        try await base.append(resource, values: values)
    }
    func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) async throws -> Int {
        try await base.update(resource, where: predicate, set: values)
    }
    func delete(_ resource: Resource, where predicate: RowPredicate) async throws -> Int { try await base.delete(resource, where: predicate) }
    func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) async throws -> [Row] {
        try await base.delete(resource, where: predicate, returning: columns)
    }
    func deleteJournaling(_ resource: Resource, where predicate: RowPredicate, columns: [Column]) async throws -> JournaledRows {
        try await base.deleteJournaling(resource, where: predicate, columns: columns)
    }
    func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T { try await base.savepoint(body) }
    func serialize(on name: String) async throws { try await base.serialize(on: name) }
}

/// Runs `body` against the demo over a ``PausingStore`` (SQLite in memory, then PostgreSQL when
/// it is available).
func withPausingApp(
    jobTimeout: Duration? = JobRunner.defaultTimeout, _ body: @escaping @Sendable (DemoClient, PausingStore.Pause) async throws -> Void
) async throws {
    var logger = Logger(label: "test")
    logger.logLevel = ProcessInfo.processInfo.environment["JOBDEBUG"] != nil ? .debug : .critical
    var configuration = try DemoConfiguration.load()
    configuration.jobTimeout = jobTimeout
    configuration.database = .sqliteMemory
    var stores: [(any Store, DatabaseLocation)] = [(try openStore(.sqliteMemory, logger: logger), .sqliteMemory)]
    if PostgresScratch.isAvailable {
        let store = try await ScratchPostgresStore.create(logger: logger)
        stores.append((store, .postgres(store.scratch.location)))
    }
    for (store, location) in stores {
        configuration.database = location
        let (pausing, pause) = PausingStore.wrapping(store)
        let app = try await buildApplication(configuration, store: pausing, options: ServeOptions(host: "127.0.0.1", port: 0, logger: logger))
        do {
            try await app.test(.router) { client in try await body(DemoClient(client: client), pause) }
        } catch {
            if case .postgres = location { throw OnPostgres(error: error) }
            throw error
        }
    }
}

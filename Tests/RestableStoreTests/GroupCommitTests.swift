import Foundation
import Logging
@testable import RestableCore
@testable import RestableSQLite
import Synchronization
import Testing

/// Group commit (`sqlite.synchronous: full`): concurrent writes share one commit, each still
/// runs its own checks, and a write that fails takes back its own work only.
@Suite struct GroupCommitTests {
    static let item = Resource(name: "item", key: ["id"], columns: [Column(name: "id", type: .integer)])
    static let parent = Resource(name: "parent", key: ["id"], columns: [Column(name: "id", type: .integer)])
    static let child = Resource(
        name: "child", key: ["id"], columns: [Column(name: "id", type: .integer), Column(name: "parent_id", type: .integer, required: true)])
    static let schema = Schema(
        resources: [item, parent, child],
        relationships: [Relationship(parent: "parent", child: "child", columns: ["parent_id"], onDelete: .restrict)])

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// A file database with items 1...200, parents 1...10, and a child under each of parents 1...5.
    static func prepared(_ folder: URL) async throws -> (SQLiteStore, Engine, String) {
        let path = folder.appendingPathComponent("group.sqlite").path
        let store = try SQLiteStore(.file(path), synchronous: .full, logger: logger)
        var seed: [InsertPlan] = (1...200).map { InsertPlan(resource: item, values: ["id": .integer(Int64($0))]) }
        seed += (1...10).map { InsertPlan(resource: parent, values: ["id": .integer(Int64($0))]) }
        seed += (1...5).map { InsertPlan(resource: child, values: ["id": .integer(Int64($0)), "parent_id": .integer(Int64($0))]) }
        _ = try await store.prepare(schema, seed: seed)
        return (store, Engine(schema: schema, store: store, logger: logger), path)
    }

    static func ids(_ resource: String, _ engine: Engine) async throws -> [Int64] {
        try await engine.list(ListRequest(resource: resource)).compactMap { row -> Int64? in
            if case .integer(let id) = row["id"] { id } else { nil }
        }
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    enum Answer: Sendable, Equatable {
        case deleted(Int)
        case failed(RestableError.Code)
    }

    @Test func concurrentDeletesShareCommitsAndEachKeepsItsOwnOutcome() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (store, engine, path) = try await Self.prepared(folder)
        let commitsBefore = store.groupCommits.load(ordering: .relaxed)

        // 200 item deletes, 10 parent deletes (1...5 restricted by their children), and a dry
        // run of item 1 that must roll back only itself: all at once.
        let answers = await withTaskGroup(of: (String, Answer).self) { group in
            for id in 1...200 {
                group.addTask {
                    await ("item \(id)", Self.answer { try await engine.delete(DeleteRequest(resource: "item", key: .parts(["\(id)"]))) })
                }
            }
            for id in 1...10 {
                group.addTask {
                    await ("parent \(id)", Self.answer { try await engine.delete(DeleteRequest(resource: "parent", key: .parts(["\(id)"]))) })
                }
            }
            var answers: [String: Answer] = [:]
            for await (name, answer) in group { answers[name] = answer }
            return answers
        }
        for id in 1...200 { #expect(answers["item \(id)"] == .deleted(1), "item \(id)") }
        for id in 1...5 { #expect(answers["parent \(id)"] == .failed(.restricted), "parent \(id)") }
        for id in 6...10 { #expect(answers["parent \(id)"] == .deleted(1), "parent \(id)") }
        let commits = store.groupCommits.load(ordering: .relaxed) - commitsBefore
        #expect(commits >= 1 && commits < 210, "210 writes took \(commits) commits")
        await store.close()

        // What a fresh connection finds on disk is exactly what was answered.
        let reopened = try SQLiteStore(.file(path), synchronous: .full, logger: Self.logger)
        let again = Engine(schema: Self.schema, store: reopened, logger: Self.logger)
        #expect(try await Self.ids("item", again) == [])
        #expect(try await Self.ids("parent", again) == [1, 2, 3, 4, 5])
        #expect(try await Self.ids("child", again) == [1, 2, 3, 4, 5])
        await reopened.close()
    }

    /// A write that leaves a foreign key unresolved (deferred to COMMIT) fails alone, as its own
    /// COMMIT would have; the writes it shared the transaction with commit.
    @Test func aWriteThatBreaksAForeignKeyFailsAloneAndTheOthersCommit() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (store, engine, _) = try await Self.prepared(folder)
        let answers = await withTaskGroup(of: (Int, Answer).self) { group in
            for id in 1...60 {
                group.addTask {
                    if id % 20 == 0 {
                        // A child of a parent that does not exist, written straight to the store.
                        return await (id, Self.answer {
                            _ = try await store.write { session in
                                try await session.insert(Self.child, values: ["id": .integer(Int64(1000 + id)), "parent_id": .integer(999)])
                            }
                            return ChangeOutcome()
                        })
                    }
                    return await (id, Self.answer { try await engine.delete(DeleteRequest(resource: "item", key: .parts(["\(id)"]))) })
                }
            }
            var answers: [Int: Answer] = [:]
            for await (id, answer) in group { answers[id] = answer }
            return answers
        }
        for id in 1...60 {
            #expect(answers[id] == (id % 20 == 0 ? .failed(.invalidReference) : .deleted(1)), "write \(id)")
        }
        #expect(try await Self.ids("item", engine) == [20, 40, 60] + Array(61...200))
        #expect(try await Self.ids("child", engine) == [1, 2, 3, 4, 5])
        await store.close()
    }

    /// A dry run in a group rolls back its own savepoint; the deletes around it commit.
    @Test func aDryRunInAGroupRollsBackOnlyItself() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (store, engine, _) = try await Self.prepared(folder)
        let answers = await withTaskGroup(of: (Int, Answer).self) { group in
            for id in 1...40 {
                group.addTask {
                    await (id, Self.answer {
                        try await engine.delete(DeleteRequest(resource: "item", key: .parts(["\(id)"]), dryRun: id % 10 == 0))
                    })
                }
            }
            var answers: [Int: Answer] = [:]
            for await (id, answer) in group { answers[id] = answer }
            return answers
        }
        for id in 1...40 { #expect(answers[id] == .deleted(1), "write \(id)") }
        #expect(try await Self.ids("item", engine) == [10, 20, 30, 40] + Array(41...200))
        await store.close()
    }

    static func answer(_ body: () async throws -> ChangeOutcome) async -> Answer {
        do {
            let outcome = try await body()
            return .deleted(outcome.counts.resources.reduce(0) { $0 + outcome.counts.count(.delete, of: $1) })
        } catch let error as RestableError {
            return .failed(error.code)
        } catch {
            return .failed(.internalError)
        }
    }
}

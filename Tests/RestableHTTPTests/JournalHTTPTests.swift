import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RestableApp
import RestableCore
import RestableHTTP
import RestableTestSupport
import Testing

/// The journal over HTTP: every dialect names the transaction it committed, and a native mount
/// lists, shows and undoes it; each bad request is refused with the right status.
@Suite struct JournalHTTPTests {
    static let transactionHeader = HTTPField.Name("Restable-Transaction")!

    @Test func aCascadeIsListedShownAndUndoneWithItsChecksums() async throws {
        try await withDemoApp { api in
            let before = try await api.send(.get, "/api/line_item").text
            let customer = try await api.checksum("/api/customer/Golf%20Industries")
            let reply = try await api.send(.delete, "/api/customer/Golf%20Industries")
            #expect(reply.status == .ok)
            let id = try #require(reply.headers[Self.transactionHeader])
            #expect(TransactionID.isWellFormed(id))
            #expect(reply.json?["transaction"] == .string(id))

            let list = try await api.send(.get, "/api/_transactions")
            #expect(list.status == .ok)
            let first = try #require(list.json?["transactions"]?.arrayValue?.first)
            #expect(first["id"] == .string(id) && first["action"] == .string("delete") && first["resource"] == .string("customer"))
            #expect(first["href"] == .string("/api/_transactions/\(id)"))
            #expect(first["counts"]?["line_item"]?["DELETE"] == .number(3))
            #expect(first["complete"] == .bool(true) && first["undoneBy"] == .null)
            #expect(first["at"]?.stringValue?.hasSuffix("Z") == true)

            let shown = try await api.send(.get, "/api/_transactions/\(id)")
            #expect(shown.status == .ok)
            let entries = try #require(shown.json?["entries"]?.arrayValue)
            #expect(Set(entries.compactMap { $0["resource"]?.stringValue }) == ["customer", "purchase_order", "line_item"])
            let customerEntry = try #require(entries.first { $0["resource"] == .string("customer") })
            #expect(customerEntry["action"] == .string("DELETE"))
            #expect(customerEntry["rows"]?.arrayValue?.first?["@metadata"]?["checksum"] == .string(customer))
            #expect(customerEntry["rows"]?.arrayValue?.first?["balance"] == .number(1800))

            let dry = try await api.send(.post, "/api/_transactions/\(id)/undo?dryrun")
            #expect(dry.status == .ok && dry.json?["dryRun"] == .bool(true) && dry.headers[Self.transactionHeader] == nil)
            #expect(dry.json?["counts"]?["customer"]?["INSERT"] == .number(1))
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .notFound)

            let undo = try await api.send(.post, "/api/_transactions/\(id)/undo")
            #expect(undo.status == .ok)
            let undoID = try #require(undo.headers[Self.transactionHeader])
            #expect(undo.json?["transaction"] == .string(undoID) && undo.json?["undid"] == .string(id))
            #expect(try await api.checksum("/api/customer/Golf%20Industries") == customer)
            #expect(try await api.send(.get, "/api/line_item").text == before)

            let again = try await api.send(.post, "/api/_transactions/\(id)/undo")
            #expect(again.status == .conflict && again.code == "undoConflict")
            #expect(again.json?["conflicts"]?.arrayValue?.first?["kind"] == .string("alreadyUndone"))
            let undone = try await api.send(.get, "/api/_transactions/\(id)")
            #expect(undone.json?["undoneBy"] == .string(undoID))
            let ofUndo = try await api.send(.get, "/api/_transactions/\(undoID)")
            #expect(ofUndo.json?["action"] == .string("undo") && ofUndo.json?["undoOf"] == .string(id))
        }
    }

    @Test func everyDialectNamesTheTransactionItCommitted() async throws {
        try await withDemoApp { api in
            let liveAPI = try await api.send(.delete, "/rest/el-local/demo/v1/demo:customer/Bravo%20Hardware?checksum=override")
            let autotask = try await api.send(.delete, "/atservicesrest/v1.0/ContactGroups/4")
            let autotaskChild = try await api.send(.delete, "/atservicesrest/v1.0/ContactGroups/5/Contacts/3")
            let buzz = try await api.send(.delete, "/rest/user/5")
            let collection = try await api.send(.delete, "/api/contact_group?id=in.(1,2)")
            let batch = try await api.send(
                .post, "/api", headers: [.contentType: "application/json"],
                body: #"[{"@metadata": {"action": "DELETE", "href": "/api/product/105", "checksum": "override"}}]"#)
            var ids = Set<String>()
            for reply in [liveAPI, autotask, autotaskChild, buzz, collection, batch] {
                #expect(reply.status == .ok, "\(reply.text)")
                if let id = reply.headers[Self.transactionHeader] { ids.insert(id) }
            }
            #expect(ids.count == 6)
            #expect(collection.json?["transaction"]?.stringValue.map(ids.contains) == true)
            let listed = try await api.send(.get, "/api/_transactions")
            #expect(Set(listed.json?["transactions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []) == ids)
            let batchID = try #require(batch.headers[Self.transactionHeader])
            #expect(try await api.send(.get, "/api/_transactions/\(batchID)").json?["action"] == .string("batch"))

            // The Buzz delete set campaign.created_by to null; its undo puts it back.
            let buzzID = try #require(buzz.headers[Self.transactionHeader])
            #expect(try await api.send(.post, "/api/_transactions/\(buzzID)/undo").status == .ok)
            #expect(try await api.send(.get, "/api/user/5").status == .ok)
        }
    }

    @Test func whatChangesNothingNamesNoTransaction() async throws {
        try await withDemoApp { api in
            let dry = try await api.send(.delete, "/api/customer/Golf%20Industries?dryrun")
            #expect(dry.status == .ok && dry.headers[Self.transactionHeader] == nil && dry.json?["transaction"] == nil)
            let missing = try await api.send(.delete, "/api/customer/Nobody?ignoredeleted")
            #expect(missing.status == .ok && missing.headers[Self.transactionHeader] == nil)
            let refused = try await api.send(.delete, "/api/product/101?checksum=override")
            #expect(refused.status == .conflict && refused.headers[Self.transactionHeader] == nil)
            let created = try await api.send(.post, "/api/customer", headers: [.contentType: "application/json"], body: #"{"name": "Zed"}"#)
            #expect(created.status == .created && created.headers[Self.transactionHeader] == nil)
            #expect(try await api.send(.get, "/api/_transactions").json?["transactions"] == .array([]))
        }
    }

    @Test func pagesFollowTheNextLink() async throws {
        try await withDemoApp { api in
            var made: [String] = []
            for id in 1...5 {
                let reply = try await api.send(.delete, "/api/contact_group/\(id)")
                made.append(try #require(reply.headers[Self.transactionHeader]))
            }
            var seen: [String] = []
            var next: String? = "/api/_transactions?resource=contact_group&limit=2"
            var pages = 0
            while let url = next {
                let page = try await api.send(.get, url)
                #expect(page.status == .ok, "\(page.text)")
                seen += page.json?["transactions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                next = page.json?["next"]?.stringValue
                if let next { #expect(page.headers[.init("Link")!] == "<\(next)>; rel=\"next\"") }
                pages += 1
                if pages > 5 { break }
            }
            // Newest first by id (two deletes that began in the same millisecond sort at random).
            #expect(Set(seen) == Set(made) && seen.count == made.count)
            #expect(seen == seen.sorted(by: >))
            #expect(pages == 3)
            let other = try await api.send(.get, "/api/_transactions?resource=customer")
            #expect(other.json?["transactions"] == .array([]))
            let future = try await api.send(.get, "/api/_transactions?since=2999-01-01T00:00:00Z")
            #expect(future.json?["transactions"] == .array([]))
            let past = try await api.send(.get, "/api/_transactions?until=2999-01-01T00:00:00%2B01:00")
            #expect(past.json?["transactions"]?.arrayValue?.count == 5)
            let before = try await api.send(.get, "/api/_transactions?until=2001-01-01T00:00:00Z")
            #expect(before.json?["transactions"] == .array([]))
            let since = try await api.send(.get, "/api/_transactions?since=2001-01-01T00:00:00.0005%2B01:00")
            #expect(since.json?["transactions"]?.arrayValue?.count == 5)
            let nobody = try await api.send(.get, "/api/_transactions?principal=nobody")
            #expect(nobody.status == .ok && nobody.json?["transactions"] == .array([]))
        }
    }

    @Test func badRequestsAreRefusedWithTheRightStatus() async throws {
        try await withDemoApp { api in
            let id = try #require(try await api.send(.delete, "/api/customer/New%20Customer").headers[Self.transactionHeader])
            let cases: [(HTTPRequest.Method, String, String?, HTTPResponse.Status)] = [
                (.get, "/api/_transactions?limit=0", nil, .badRequest),
                (.get, "/api/_transactions?limit=1001", nil, .badRequest),
                (.get, "/api/_transactions?limit=ten", nil, .badRequest),
                (.get, "/api/_transactions?limit=1&limit=2", nil, .badRequest),
                (.get, "/api/_transactions?since=yesterday", nil, .badRequest),
                (.get, "/api/_transactions?until=2026-02-30T00:00:00Z", nil, .badRequest),
                (.get, "/api/_transactions?before=latest", nil, .badRequest),
                (.get, "/api/_transactions?principal=", nil, .badRequest),
                (.get, "/api/_transactions?resorce=customer", nil, .badRequest),
                (.get, "/api/_transactions?resource=nope", nil, .notFound),
                (.get, "/api/_transactions", "{}", .badRequest),
                (.get, "/api/_transactions/latest", nil, .notFound),
                (.get, "/api/_transactions/1764982800123-000000000000", nil, .notFound),
                (.get, "/api/_transactions/\(id)?full=true", nil, .badRequest),
                (.get, "/api/_transactions/\(id)/entries", nil, .notFound),
                (.delete, "/api/_transactions", nil, .methodNotAllowed),
                (.delete, "/api/_transactions/\(id)", nil, .methodNotAllowed),
                (.get, "/api/_transactions/\(id)/undo", nil, .methodNotAllowed),
                (.post, "/api/_transactions/\(id)/undo?dryrun=maybe", nil, .badRequest),
                (.post, "/api/_transactions/\(id)/undo?force=true", nil, .badRequest),
                (.post, "/api/_transactions/\(id)/undo", #"{"dryrun": true}"#, .badRequest),
                (.post, "/api/_transactions/\(id.dropLast())G/undo", nil, .notFound),
            ]
            for (method, url, body, status) in cases {
                let reply = try await api.send(method, url, headers: body == nil ? [:] : [.contentType: "application/json"], body: body)
                #expect(reply.status == status, "\(method) \(url): \(reply.status) \(reply.text)")
                #expect(reply.contentType == "application/problem+json", "\(method) \(url)")
            }
            let notAllowed = try await api.send(.delete, "/api/_transactions/\(id)")
            #expect(notAllowed.headers[.allow] == "GET, HEAD")
            let undoGet = try await api.send(.get, "/api/_transactions/\(id)/undo")
            #expect(undoGet.headers[.allow] == "POST")
            // Nothing was undone by any of them.
            #expect(try await api.send(.get, "/api/customer/New%20Customer").status == .notFound)
            #expect(try await api.send(.post, "/api/_transactions/\(id)/undo").status == .ok)
        }
    }

    @Test func withTheJournalOffNothingIsKeptOrServed() async throws {
        var configuration = try DemoConfiguration.load()
        configuration.journal = nil
        try await withApp(configuration) { api in
            let reply = try await api.send(.delete, "/api/customer/Golf%20Industries")
            #expect(reply.status == .ok && reply.headers[Self.transactionHeader] == nil && reply.json?["transaction"] == nil)
            let list = try await api.send(.get, "/api/_transactions")
            #expect(list.status == .notFound)
            #expect(try await api.send(.get, "/api").json?["transactions"] == nil)
        }
    }

    @Test func aResourceWithoutAJournalMakesItsTransactionsIncomplete() async throws {
        var configuration = try DemoConfiguration.load()
        configuration.journal?.unjournaled = ["line_item"]
        try await withApp(configuration) { api in
            let id = try #require(try await api.send(.delete, "/api/customer/Golf%20Industries").headers[Self.transactionHeader])
            let shown = try await api.send(.get, "/api/_transactions/\(id)")
            #expect(shown.json?["complete"] == .bool(false))
            #expect(Set(shown.json?["entries"]?.arrayValue?.compactMap { $0["resource"]?.stringValue } ?? []) == ["customer", "purchase_order"])
            let undo = try await api.send(.post, "/api/_transactions/\(id)/undo")
            #expect(undo.status == .conflict)
            #expect(undo.json?["conflicts"]?.arrayValue?.first?["kind"] == .string("notJournaled"))
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .notFound)
        }
    }

    /// A caller sees a transaction only when it may read every resource it touched with no row
    /// policy (the journal's rows are not filtered by one), and undoes it only with insert.
    @Test func theJournalShowsACallerOnlyWhatItMayReadWhole() async throws {
        try await SecurityTests.withSecureApp { api in
            let clerk = SecurityTests.key(SecurityTests.clerkKey)
            let deleted = try await api.send(.delete, "/api/purchase_order/1", headers: clerk)
            #expect(deleted.status == .ok)
            let id = try #require(deleted.headers[Self.transactionHeader])
            let viewer = SecurityTests.key(SecurityTests.viewerKey)
            #expect(try await api.send(.get, "/api/_transactions", headers: viewer).json?["transactions"] == .array([]))
            let hidden = try await api.send(.get, "/api/_transactions/\(id)", headers: viewer)
            #expect(hidden.status == .forbidden && hidden.json?["detail"]?.stringValue?.contains("row policy") == true)
            let reader = SecurityTests.key(SecurityTests.readerKey)
            let listed = try await api.send(.get, "/api/_transactions", headers: reader)
            #expect(listed.json?["transactions"]?.arrayValue?.first?["principal"] == .string("apikey:clerk"))
            #expect(try await api.send(.post, "/api/_transactions/\(id)/undo", headers: reader).status == .forbidden)
            #expect(try await api.send(.get, "/api/_transactions").status == .unauthorized)
            #expect(try await api.send(.post, "/api/_transactions/\(id)/undo", headers: clerk).status == .ok)
            #expect(try await api.send(.get, "/api/purchase_order/1", headers: clerk).status == .ok)
        }
    }

    /// A table with columns that are not served, or a column served as text, cannot be put back
    /// exactly: its deletes are not journaled, so their transactions cannot be undone.
    @Test func aTableWithColumnsTheJournalCannotKeepIsNotJournaled() async throws {
        do {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("restable-extra-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try HandMadeSQLite.create(at: path, "CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT, secret TEXT); INSERT INTO thing VALUES (1, 'a', 's');")
            let configuration = try ConfigurationLoader.parse(
                "database: sqlite:\(path)\nresources:\n  thing: { key: id, columns: { id: integer, name: text } }\n", file: "t.yaml")
            let (engine, store) = try await buildEngine(configuration, store: openStore(.sqliteFile(path), logger: Logger(label: "t")), logger: Logger(label: "t"))
            #expect(engine.journal?.unjournaled == ["thing"])
            let outcome = try await engine.delete(DeleteRequest(resource: "thing", key: .parts(["1"])))
            let (transaction, entries) = try await engine.transaction(try #require(outcome.transaction))
            #expect(!transaction.complete && entries.isEmpty)
            await store.close()
        }
    }
}

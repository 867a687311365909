import Hummingbird
import RestableHTTP
import Testing

/// Many-row deletes and batches in the native dialect: every form, outcome and guard.
@Suite struct NativeManyRowTests {
    let json: HTTPFields = [.contentType: "application/json"]

    @Test func keyArraysCompositeKeysAndObjectsWithChecksums() async throws {
        try await withDemoApp { api in
            let checksum = try await api.checksum("/api/line_item/3,1")
            let body = #"[[1, 1], {"order_id": 3, "line_no": 1, "@metadata": {"checksum": "\#(checksum)"}}, [1, 1]]"#
            let reply = try await api.send(.delete, "/api/line_item", headers: json, body: body)
            #expect(reply.status == .ok)
            #expect(reply.json?["outcome"] == .string("all"))
            #expect(reply.json?["counts"] == .object([("line_item", .object([("DELETE", .integer(2))]))]))
            #expect(reply.json?["txsummary"]?.arrayValue?.count == 2)
            let scalars = try await api.send(.delete, "/api/user", headers: json, body: "[4, 5]")
            #expect(scalars.json?["counts"]?["user"]?["DELETE"] == .integer(2))
        }
    }

    @Test func inListInTheQueryIsAKeyList() async throws {
        try await withDemoApp { api in
            let missing = try await api.send(.delete, "/api/user?user_id=in.(4,40)")
            #expect(missing.status == .notFound, "a key list reports missing keys, unlike a filter")
            #expect(missing.json?["outcome"] == .string("none"))
            #expect(missing.json?["errors"]?[0]?["key"] == .integer(40))
            let ignored = try await api.send(.delete, "/api/user?user_id=in.(4,40)&ignoredeleted")
            #expect(ignored.status == .ok)
            #expect(ignored.json?["counts"]?["user"]?["DELETE"] == .integer(1))
        }
    }

    @Test func strictFailureIs409WithEveryError() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/advertiser", headers: json, body: "[1, 3, 99, 4]")
            #expect(reply.status == .conflict)
            #expect(reply.contentType == "application/problem+json")
            #expect(reply.code == "batchFailed")
            #expect(reply.json?["outcome"] == .string("none"))
            let errors = try #require(reply.json?["errors"]?.arrayValue)
            #expect(errors.compactMap { $0["code"]?.stringValue } == ["restricted", "notFound", "restricted"])
            #expect(errors[0]["key"] == .integer(3))
            #expect(errors[0]["index"] == .integer(1))
            #expect(errors[0]["dependents"]?[0]?["resource"] == .string("campaign"))
            #expect(try await api.send(.get, "/api/advertiser/1").status == .ok)
        }
    }

    @Test func everyFailureMissingIs404() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/user", headers: json, body: "[40, 41]")
            #expect(reply.status == .notFound)
            #expect(reply.code == "notFound")
            #expect(reply.json?["errors"]?.arrayValue?.count == 2)
        }
    }

    @Test func lenientIsPartialWith200() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(
                .delete, "/api/advertiser", headers: [.contentType: "application/json", .init("Prefer")!: "handling=lenient"],
                body: "[1, 3, 2]")
            #expect(reply.status == .ok)
            #expect(reply.json?["outcome"] == .string("partial"))
            #expect(reply.json?["counts"]?["advertiser"]?["DELETE"] == .integer(2))
            #expect(reply.json?["errors"]?[0]?["key"] == .integer(3))
            let none = try await api.send(
                .delete, "/api/advertiser", headers: [.contentType: "application/json", .init("Prefer")!: "handling=lenient"], body: "[3, 4]")
            #expect(none.status == .conflict)
        }
    }

    @Test func filtersAndTheUnboundedGuard() async throws {
        try await withDemoApp { api in
            let unbounded = try await api.send(.delete, "/api/campaign")
            #expect(unbounded.status == .badRequest)
            #expect(unbounded.code == "unboundedDelete")
            let filtered = try await api.send(.delete, "/api/campaign?advertiser_id=eq.3")
            #expect(filtered.json?["counts"]?["campaign"]?["DELETE"] == .integer(2))
            let all = try await api.send(.delete, "/api/campaign?all=true")
            #expect(all.json?["counts"]?["campaign"]?["DELETE"] == .integer(1))
            #expect(try await api.send(.get, "/api/campaign").json?.arrayValue?.isEmpty == true)
            let both = try await api.send(.delete, "/api/user?user_id=eq.1", headers: json, body: "[1]")
            #expect(both.status == .badRequest)
        }
    }

    @Test func maxAffectedRefusesWithTheCount() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/user?user_id=gt.1", headers: [.init("Prefer")!: "max-affected=2"])
            #expect(reply.status == .badRequest)
            #expect(reply.code == "tooManyAffected")
            #expect(reply.json?["count"] == .integer(4))
            #expect(try await api.send(.get, "/api/user").json?.arrayValue?.count == 5)
            let bad = try await api.send(.delete, "/api/user?user_id=gt.1", headers: [.init("Prefer")!: "max-affected=lots"])
            #expect(bad.code == "invalidHeader")
        }
    }

    @Test func dryRunReportsAndRollsBack() async throws {
        try await withDemoApp { api in
            let rollback: HTTPFields = [.init("Prefer")!: "tx=rollback"]
            for (uri, headers) in [("/api/customer?all=true", rollback), ("/api/customer?all=true&dryrun", [:])] {
                let reply = try await api.send(.delete, uri, headers: headers)
                #expect(reply.status == .ok)
                #expect(reply.json?["dryRun"] == .bool(true))
                #expect(reply.json?["counts"]?["line_item"]?["DELETE"] == .integer(4))
            }
            let single = try await api.send(.delete, "/api/customer/Golf%20Industries?dryrun")
            #expect(single.json?["dryRun"] == .bool(true))
            #expect(single.json?["txsummary"]?.arrayValue?.count == 6)
            #expect(try await api.send(.get, "/api/customer").json?.arrayValue?.count == 4)
        }
    }

    @Test func summaryCanBeDropped() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/user?user_id=in.(1,2)&txsummary=false")
            #expect(reply.json?["txsummary"] == nil)
            #expect(reply.json?["counts"]?["campaign"]?["UPDATE"] == .integer(2))
            let minimal = try await api.send(.delete, "/api/user", headers: [.init("Prefer")!: "return=minimal"], body: "[3]")
            #expect(minimal.status == .ok)
            #expect(minimal.json?["txsummary"] == nil)
            #expect(minimal.json?["outcome"] == .string("all"))
        }
    }

    @Test(arguments: ["{}", "[1, ", "[[1, [2]]]", #"[{"order_id": 1}]"#, #"["x"]"#])
    func malformedKeyBodiesAre400AndChangeNothing(body: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/line_item", headers: json, body: body)
            #expect(reply.status == .badRequest)
            #expect(["invalidBody", "invalidKey"].contains(reply.code))
            #expect(try await api.send(.get, "/api/line_item").json?.arrayValue?.count == 4)
        }
    }

    @Test func batchInsertsUpdatesAndDeletesInOrder() async throws {
        try await withDemoApp { api in
            let body = #"""
                [{"@metadata": {"action": "INSERT", "resource": "customer"}, "name": "Zed", "balance": 1},
                 {"@metadata": {"action": "UPDATE", "href": "http://elsewhere:9/api/customer/Zed"}, "balance": 2},
                 {"@metadata": {"action": "DELETE", "resource": "line_item", "key": [1, 2]}},
                 {"@metadata": {"action": "DELETE", "href": "/api/customer/Zed"}}]
                """#
            let reply = try await api.send(.post, "/api", headers: json, body: body)
            #expect(reply.status == .ok)
            #expect(reply.json?["outcome"] == .string("all"))
            let verbs = reply.json?["txsummary"]?.arrayValue?.compactMap { $0["@metadata"]?["verb"]?.stringValue }
            #expect(verbs == ["INSERT", "UPDATE", "DELETE", "DELETE"])
            #expect(try await api.send(.get, "/api/line_item/1,2").status == .notFound)
        }
    }

    @Test func batchStrictFailureNamesTheOperation() async throws {
        try await withDemoApp { api in
            let body = #"""
                [{"@metadata": {"action": "DELETE", "href": "/api/user/1"}},
                 {"@metadata": {"action": "DELETE", "href": "/api/product/101", "checksum": "A:0000000000000000"}}]
                """#
            let reply = try await api.send(.post, "/api", headers: json, body: body)
            #expect(reply.status == .conflict)
            #expect(reply.json?["errors"]?[0]?["index"] == .integer(1))
            #expect(reply.json?["errors"]?[0]?["code"] == .string("checksumMismatch"))
            #expect(try await api.send(.get, "/api/user/1").status == .ok)
            let malformed = try await api.send(.post, "/api", headers: json, body: #"[{"@metadata": {"action": "MERGE", "resource": "user"}}]"#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.json?["detail"]?.stringValue?.hasPrefix("operation 0:") == true)
        }
    }
}

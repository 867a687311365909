import RestableCore
import Hummingbird
import RestableHTTP
import Testing

/// GET, POST and PATCH in the native dialect, and the errors every bad input gets.
@Suite struct NativeReadWriteTests {
    @Test func listReturnsRowsWithMetadataInColumnOrder() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.get, "/api/customer")
            #expect(reply.status == .ok)
            #expect(reply.contentType == "application/json")
            let rows = try #require(reply.json?.arrayValue)
            #expect(rows.count == 4)
            #expect(rows[0].objectValue?.map(\.0) == ["@metadata", "name", "balance", "credit_limit"])
            #expect(rows[0]["@metadata"]?["href"] == .string("/api/customer/Alpha%20and%20Sons"))
        }
    }

    @Test func listTakesFiltersLimitAndOffset() async throws {
        try await withDemoApp { api in
            let lines = try await api.send(.get, "/api/line_item?product_id=101")
            #expect(lines.json?.arrayValue?.count == 2)
            let page = try await api.send(.get, "/api/user?limit=2&offset=2")
            #expect(page.json?.arrayValue?.compactMap { $0["user_id"]?.integerValue } == [3, 4])
            let listed = try await api.send(.get, "/api/user?user_id=in.(1,5)")
            #expect(listed.json?.arrayValue?.compactMap { $0["user_id"]?.integerValue } == [1, 5])
            let compared = try await api.send(.get, "/api/product?price=gte.100")
            #expect(compared.json?.arrayValue?.compactMap { $0["id"]?.integerValue } == [103, 105])
            let nulls = try await api.send(.get, "/api/purchase_order?notes=is.null")
            #expect(nulls.json?.arrayValue?.compactMap { $0["order_id"]?.integerValue } == [2])
            let spaced = try await api.send(.get, "/api/customer?name=Golf%20Industries")
            #expect(spaced.json?.arrayValue?.count == 1)
        }
    }

    @Test(arguments: [
        ("/api/user?limit=-1", "invalidQuery"), ("/api/user?limit=ten", "invalidQuery"),
        ("/api/user?colour=red", "unknownColumn"), ("/api/user?user_id=abc", "invalidFilter"),
        ("/api/user?user_id=in.1,2", "invalidFilter"), ("/api/user?user_id", "invalidFilter"),
    ])
    func badQueriesAre400(uri: String, code: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.get, uri)
            #expect(reply.status == .badRequest)
            #expect(reply.code == code)
        }
    }

    @Test func getSendsAStrongETagAndHonoursIfNoneMatch() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.get, "/api/line_item/3,1")
            #expect(reply.status == .ok)
            let etag = try #require(reply.headers[.eTag])
            #expect(etag == "\"" + (reply.json?["@metadata"]?["checksum"]?.stringValue ?? "") + "\"")
            #expect(try await api.send(.get, "/api/line_item/3,1", headers: [.ifNoneMatch: etag]).status == .notModified)
            #expect(try await api.send(.get, "/api/line_item/3,1", headers: [.ifNoneMatch: "W/" + etag]).status == .notModified)
            #expect(try await api.send(.get, "/api/line_item/3,1", headers: [.ifNoneMatch: "\"A:0\""]).status == .ok)
            #expect(try await api.send(.get, "/api/line_item/3,9").status == .notFound)
        }
    }

    @Test func postCreatesWith201AndLocation() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(
                .post, "/api/customer", headers: [.contentType: "application/json"],
                body: #"{"name": "Zulu, Ltd/West", "balance": 10.5, "credit_limit": 100}"#)
            #expect(reply.status == .created)
            let location = try #require(reply.headers[.location])
            #expect(location == "/api/customer/Zulu%2C%20Ltd%2FWest")
            #expect(reply.headers[.eTag] != nil)
            let fetched = try await api.send(.get, location)
            #expect(fetched.json?["balance"] == .number(10.5))
            #expect(try await api.send(.delete, location).status == .ok)
        }
    }

    @Test func patchUpdatesAndChecksItsPrecondition() async throws {
        try await withDemoApp { api in
            let checksum = try await api.checksum("/api/product/102")
            let json: HTTPFields = [.contentType: "application/json"]
            let required = try await api.send(.patch, "/api/product/102", headers: json, body: #"{"price": 30}"#)
            #expect(required.status.code == 428)
            let body = #"{"@metadata": {"checksum": "\#(checksum)"}, "price": 30}"#
            let updated = try await api.send(.patch, "/api/product/102", headers: json, body: body)
            #expect(updated.status == .ok)
            #expect(updated.json?["price"] == .number(30))
            #expect(updated.headers[.eTag] != "\"\(checksum)\"")
            let stale = try await api.send(.patch, "/api/product/102", headers: json, body: body)
            #expect(stale.status == .preconditionFailed)
            let key = try await api.send(.patch, "/api/product/102?checksum=override", headers: json, body: #"{"id": 7}"#)
            #expect(key.code == "keyImmutable")
        }
    }

    @Test(arguments: [
        (#"{"name": "#, "invalidBody"), (#"[1, 2]"#, "invalidBody"), ("", "invalidBody"),
        (#"{"name": "X", "balance": "lots"}"#, "invalidValue"), (#"{"name": "X", "colour": "red"}"#, "unknownColumn"),
        (#"{"balance": 1}"#, "missingValue"), (#"{"name": null}"#, "missingValue"), (#"{"name": ["a"]}"#, "invalidValue"),
    ])
    func badBodiesAre400(body: String, code: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.post, "/api/customer", headers: [.contentType: "application/json"], body: body)
            #expect(reply.status == .badRequest)
            #expect(reply.code == code)
            #expect(reply.contentType == "application/problem+json")
        }
    }

    @Test func conflictsAre409WithoutSQL() async throws {
        try await withDemoApp { api in
            let json: HTTPFields = [.contentType: "application/json"]
            let duplicate = try await api.send(.post, "/api/contact_group", headers: json, body: #"{"name": "Test Group 2"}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.code == "duplicateKey")
            #expect(duplicate.json?["detail"] == .string("contact_group 2 already has name 'Test Group 2', which must be unique"))
            #expect(duplicate.json?["column"] == .string("name"))
            let sameKey = try await api.send(.post, "/api/user", headers: json, body: #"{"user_id": 1, "user_name": "x"}"#)
            #expect(sameKey.code == "duplicateKey")
            #expect(sameKey.json?["key"] == .integer(1))
            let dangling = try await api.send(.post, "/api/purchase_order", headers: json, body: #"{"customer_name": "Nobody"}"#)
            #expect(dangling.status == .conflict)
            #expect(dangling.code == "invalidReference")
            #expect(dangling.json?["detail"] == .string("purchase_order.customer_name names customer Nobody, which does not exist"))
            let renamed = try await api.send(.patch, "/api/contact_group/1", headers: json, body: #"{"name": "Test Group 3"}"#)
            #expect(renamed.code == "duplicateKey")
            #expect(try await api.send(.patch, "/api/contact_group/1", headers: json, body: #"{"name": "Test Group 1"}"#).status == .ok)
            for reply in [duplicate, dangling] {
                for word in ["INSERT", "SQLITE", "sqlite", "constraint failed", "VALUES"] {
                    #expect(!reply.text.contains(word))
                }
            }
        }
    }

    @Test func nonJSONBodyIs415() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.post, "/api/user", headers: [.contentType: "text/plain"], body: "user_name=x")
            #expect(reply.status == .unsupportedMediaType)
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await withDemoApp(maximumBodySize: 64) { api in
            let body = #"{"user_name": "\#(String(repeating: "x", count: 200))"}"#
            let reply = try await api.send(.post, "/api/user", headers: [.contentType: "application/json"], body: body)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.code == "payloadTooLarge")
            let buzz = try await api.send(.delete, "/rest/user", body: body)
            #expect(buzz.status == .contentTooLarge)
            #expect(buzz.json?["status"] == .string("ERROR"), "each dialect answers in its own format")
            let autotask = try await api.send(.post, "/atservicesrest/v1.0/ContactGroups", body: body)
            #expect(autotask.json?["errors"]?.arrayValue?.count == 1)
        }
    }

    @Test func healthIndexAndUnknownPaths() async throws {
        try await withDemoApp { api in
            #expect(try await api.send(.get, "/health").status == .ok)
            let index = try await api.send(.get, "/api")
            #expect(index.json?["resources"]?.arrayValue?.count == 9)
            #expect(try await api.send(.get, "/nowhere").status == .notFound)
            #expect(try await api.send(.get, "/api/customer/a/b").status == .notFound)
            let put = try await api.send(.put, "/api/customer/x")
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, HEAD, PATCH, DELETE")
        }
    }
}

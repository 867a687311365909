import RestableCore
import Hummingbird
import HummingbirdTesting
import Logging
import RestableApp
import RestableHTTP
import Testing

/// The Live API Creator dialect: every outcome of a delete, GET, and the PUT batch.
@Suite struct LiveAPIDialectTests {
    let demo = "/rest/el-local/demo/v1"
    let json: HTTPFields = [.contentType: "application/json"]

    @Test func staleChecksumIs409AndChangesNothing() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "\(demo)/demo:customer/Bravo%20Hardware?checksum=A:0000000000000000")
            #expect(reply.status == .conflict)
            #expect(reply.json?["statusCode"] == .integer(409))
            #expect(reply.json?["errorCode"] == .string("checksumMismatch"))
            #expect(reply.json?["errorMessage"]?.stringValue?.isEmpty == false)
            #expect(try await api.send(.get, "/api/customer/Bravo%20Hardware").status == .ok)
        }
    }

    @Test func noChecksumAsksForOneOrOverride() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "\(demo)/demo:customer/Bravo%20Hardware")
            #expect(reply.status == .badRequest)
            #expect(reply.json?["errorMessage"]?.stringValue?.contains("checksum=override") == true)
        }
    }

    @Test func missingIs404UnlessIgnoredeleted() async throws {
        try await withDemoApp { api in
            let missing = try await api.send(.delete, "\(demo)/demo:customer/Nobody?checksum=override")
            #expect(missing.status == .notFound)
            #expect(missing.json?["errorMessage"]?.stringValue?.hasPrefix("No such object") == true)
            let ignored = try await api.send(.delete, "\(demo)/demo:customer/Nobody?checksum=override&ignoredeleted")
            #expect(ignored.status == .ok)
            #expect(ignored.text == #"{"statusCode":200,"txsummary":[]}"#)
        }
    }

    @Test func cascadeSummaryUsesLACNamesAndAbsoluteHrefs() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(
                .delete, "\(demo)/demo:customer/Golf%20Industries?checksum=override&rulesummary", headers: [.init("Host")!: "api.example.com"])
            #expect(reply.status == .ok)
            let summary = try #require(reply.json?["txsummary"]?.arrayValue)
            #expect(summary.compactMap { $0["@metadata"]?["resource"]?.stringValue } == [
                "demo:customer", "demo:PurchaseOrder", "demo:PurchaseOrder", "demo:LineItem", "demo:LineItem", "demo:LineItem",
            ])
            #expect(summary.first?["@metadata"]?["href"]?.stringValue?.hasSuffix("\(demo)/demo:customer/Golf%20Industries") == true)
            #expect(reply.json?["rulesummary"] == .array([]))
            let quiet = try await api.send(.delete, "\(demo)/demo:customer/New%20Customer?checksum=override&txsummary=false")
            #expect(quiet.text == #"{"statusCode":200}"#)
        }
    }

    @Test func getReturnsRowsWithMetadata() async throws {
        try await withDemoApp { api in
            let rows = try await api.send(.get, "\(demo)/demo:LineItem")
            #expect(rows.json?.arrayValue?.count == 4)
            #expect(rows.json?[0]?["@metadata"]?["checksum"]?.stringValue?.hasPrefix("A:") == true)
            #expect(try await api.send(.get, "\(demo)/demo:LineItem/1,2").json?["product_id"] == .integer(102))
            #expect(try await api.send(.get, "\(demo)/customer").status == .notFound, "only the mapped names are served")
        }
    }

    @Test func oneStaleChecksumFailsTheWholePut() async throws {
        try await withDemoApp { api in
            let body = #"""
                [{"@metadata": {"href": "http://x/rest/acme/sales/v1/inv:product/103", "checksum": "override", "action": "DELETE"}},
                 {"@metadata": {"href": "http://x/rest/acme/sales/v1/inv:product/104", "checksum": "A:0000000000000000", "action": "DELETE"}}]
                """#
            let reply = try await api.send(.put, "/rest/acme/sales/v1/inv:product", headers: json, body: body)
            #expect(reply.status == .conflict)
            #expect(try await api.send(.get, "/rest/acme/sales/v1/inv:product/103").status == .ok)
        }
    }

    @Test func naturalKeyDeleteInsertAndUpdateInOnePut() async throws {
        try await withDemoApp { api in
            let body = #"""
                [{"@metadata": {"action": "DELETE", "key": "name", "checksum": "override"}, "name": "Ladder"},
                 {"@metadata": {"action": "INSERT"}, "id": 106, "name": "Saw", "price": 12},
                 {"@metadata": {"href": "/rest/acme/sales/v1/inv:product/106", "checksum": "override"}, "price": 14}]
                """#
            let reply = try await api.send(.put, "/rest/acme/sales/v1/inv:product", headers: json, body: body)
            #expect(reply.status == .ok)
            let verbs = reply.json?["txsummary"]?.arrayValue?.compactMap { $0["@metadata"]?["verb"]?.stringValue }
            #expect(verbs == ["DELETE", "INSERT", "UPDATE"])
            #expect(try await api.send(.get, "/rest/acme/sales/v1/inv:product/105").status == .notFound)
            #expect(try await api.send(.get, "/rest/acme/sales/v1/inv:product/106").json?["price"] == .number(14))
            let ambiguous = try await api.send(
                .put, "\(demo)/demo:LineItem", headers: json,
                body: #"[{"@metadata": {"action": "DELETE", "key": "product_id", "checksum": "override"}, "product_id": 101}]"#)
            #expect(ambiguous.status == .conflict)
            #expect(ambiguous.json?["errorCode"] == .string("ambiguousMatch"))
            let unchecked = try await api.send(
                .put, "\(demo)/demo:customer", headers: json, body: #"[{"@metadata": {"action": "DELETE"}, "name": "Bravo Hardware"}]"#)
            #expect(unchecked.status == .badRequest, "a batch DELETE needs a checksum, as a DELETE does")
            #expect(unchecked.json?["errorCode"] == .string("checksumRequired"))
        }
    }
}

/// The Autotask dialect: ids in the path, itemId, the errors array and the vendor's statuses.
@Suite struct AutotaskDialectTests {
    @Test func deleteCreateAndChildAccess() async throws {
        try await withDemoApp { api in
            #expect(try await api.send(.delete, "/atservicesrest/v1.0/ContactGroups/abc").status == .badRequest)
            let other = try await api.send(.delete, "/atservicesrest/v1.0/ContactGroups/5/Contacts/1")
            #expect(other.status == .notFound, "contact 1 belongs to group 4")
            #expect(other.json?["errors"]?.arrayValue?.count == 1)
            let child = try await api.send(.delete, "/atservicesrest/v1.0/ContactGroups/4/Contacts/1")
            #expect(child.text == #"{"itemId":1}"#)
            let created = try await api.send(
                .post, "/atservicesrest/v1.0/ContactGroups/6/Contacts", headers: [.contentType: "application/json"], body: #"{"contact_id": 40}"#)
            #expect(created.status == .ok)
            #expect(created.text == #"{"itemId":4}"#)
            #expect(try await api.send(.get, "/atservicesrest/v1.0/ContactGroups/6").json?["item"]?["name"] == .string("Test Group 6"))
            #expect(try await api.send(.get, "/api/contact_group_contact/4").json?["contact_group_id"] == .integer(6))
            #expect(try await api.send(.put, "/atservicesrest/v1.0/ContactGroups/6").status == .methodNotAllowed)
        }
    }
}

/// The Buzz dialect beyond the seed's examples.
@Suite struct BuzzDialectTests {
    @Test func cookiesAreAcceptedAndBadIdsAre400() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/rest/user/5", headers: [.cookie: "session=abc"])
            #expect(reply.status == .ok)
            #expect(reply.json?["status"] == .string("SUCCESS"))
            let bad = try await api.send(.delete, "/rest/user/abc")
            #expect(bad.status == .badRequest)
            #expect(bad.json?["status"] == .string("ERROR"))
            let missing = try await api.send(.delete, "/rest/user", body: #"{"user_id": [40]}"#)
            #expect(missing.status == .notFound)
            let strict = try await api.send(.delete, "/rest/user?strict=true", body: #"{"user_id": [4, 40]}"#)
            #expect(strict.status.code == 406, "user 4 exists, so not every key was missing")
            #expect(missing.json?["payload"]?["failed"]?[0]?["user_id"] == .integer(40))
        }
    }
}

/// The Autotask dialect over a resource with a restrict relationship: the vendor's 500.
@Suite struct AutotaskRuleViolationTests {
    @Test func aRestrictIsA500WithTheErrorsArray() async throws {
        try await withApp(yaml: """
            database: "sqlite::memory:"
            resources:
              account: { key: id, columns: { id: integer generated, name: text } }
              ticket: { key: id, columns: { id: integer generated, account_id: integer required } }
            relationships:
              - { parent: account, child: ticket, columns: [account_id], onDelete: restrict }
            mounts:
              - { path: /atservicesrest/v1.0, dialect: autotask, names: { Companies: account, Tickets: ticket } }
            seed:
              account: [{ id: 1, name: Acme }]
              ticket: [{ id: 7, account_id: 1 }]
            """) { api in
            let reply = try await api.send(.delete, "/atservicesrest/v1.0/Companies/1")
            #expect(reply.status == .internalServerError)
            #expect(reply.json?["errors"]?[0]?.stringValue?.contains("1 ticket row (7)") == true)
            #expect(try await api.send(.delete, "/atservicesrest/v1.0/Companies/1/Tickets/7").text == #"{"itemId":7}"#)
            #expect(try await api.send(.delete, "/atservicesrest/v1.0/Companies/1").text == #"{"itemId":1}"#)
        }
    }
}

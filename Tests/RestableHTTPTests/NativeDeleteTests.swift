import RestableCore
import Hummingbird
import RestableHTTP
import Testing

/// DELETE in the native dialect: one test per outcome and status code.
@Suite struct NativeDeleteTests {
    /// A precondition a route would not evaluate is refused, never ignored, and changes nothing.
    @Test func preconditionsARouteDoesNotEvaluateAreRefused() async throws {
        try await withDemoApp { api in
            let json: HTTPFields = [.contentType: "application/json"]
            let cases: [(HTTPRequest.Method, String, HTTPFields, String?)] = [
                (.post, "/api", json + [.ifMatch: "\"P:" + String(repeating: "0", count: 32) + "\""], #"[{"@metadata": {"action": "DELETE", "resource": "product", "key": 104}}]"#),
                (.post, "/api", json + [.ifMatch: "*"], "[]"),
                (.post, "/api/product", json + [.ifMatch: "\"A:1\""], #"{"id": 900, "name": "Saw", "price": 1}"#),
                (.post, "/api/product", json + [.ifNoneMatch: "*"], #"{"id": 900, "name": "Saw", "price": 1}"#),
                (.get, "/api/product", [.ifNoneMatch: "*"], nil),
                (.get, "/api/product/104", [.ifMatch: "\"A:1\""], nil),
                (.delete, "/api/product/104", [.ifNoneMatch: "*"], nil),
                (.delete, "/api/product/104", [.ifUnmodifiedSince: "Sun, 06 Dec 2026 10:00:00 GMT"], nil),
                (.patch, "/api/product/104", json + [.ifUnmodifiedSince: "Sun, 06 Dec 2026 10:00:00 GMT"], #"{"price": 2}"#),
                (.post, "/api/_transactions/1-1/undo", [.ifMatch: "*"], nil),
            ]
            let before = try await api.send(.get, "/api/product").text
            for (method, path, headers, body) in cases {
                let reply = try await api.send(method, path, headers: headers, body: body)
                #expect(reply.status == .badRequest && reply.code == "invalidHeader", "\(method) \(path) \(headers): \(reply.text)")
                #expect(reply.json?["detail"]?.stringValue?.contains("refused rather than ignored") == true)
            }
            #expect(try await api.send(.get, "/api/product").text == before)
            // A method the path does not serve is 405, an unknown resource 404, whatever the headers.
            #expect(try await api.send(.put, "/api/product/104", headers: [.ifMatch: "*"]).status == .methodNotAllowed)
            #expect(try await api.send(.get, "/api/nosuch", headers: [.ifNoneMatch: "*"]).status == .notFound)
        }
    }

    @Test func deleteAnswers200WithTheTransactionSummary() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/customer/Golf%20Industries")
            #expect(reply.status == .ok)
            let summary = try #require(reply.json?["txsummary"]?.arrayValue)
            #expect(summary.count == 6)
            let first = try #require(summary.first)
            #expect(first["@metadata"]?["resource"] == .string("customer"))
            #expect(first["@metadata"]?["verb"] == .string("DELETE"))
            #expect(first["@metadata"]?["href"] == .string("/api/customer/Golf%20Industries"))
            #expect(first["@metadata"]?["checksum"]?.stringValue?.hasPrefix("A:") == true)
            #expect(first["name"] == .string("Golf Industries"))
            #expect(first["balance"] == .number(1800))
            let hrefs = summary.compactMap { $0["@metadata"]?["href"]?.stringValue }
            #expect(hrefs.contains("/api/line_item/1,2"))
            #expect(try await api.send(.get, "/api/purchase_order/1").status == .notFound)
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .notFound)
        }
    }

    @Test func returnMinimalAnswers204WithNoBody() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/customer/New%20Customer", headers: [.init("Prefer")!: "return=minimal"])
            #expect(reply.status == .noContent)
            #expect(reply.text.isEmpty)
        }
    }

    @Test func missingRowIs404AndIgnoredeletedIs200() async throws {
        try await withDemoApp { api in
            let missing = try await api.send(.delete, "/api/customer/Nobody")
            #expect(missing.status == .notFound)
            #expect(missing.code == "notFound")
            #expect(missing.contentType == "application/problem+json")
            let ignored = try await api.send(.delete, "/api/customer/Nobody?ignoredeleted")
            #expect(ignored.status == .ok)
            #expect(ignored.json?["txsummary"] == .array([]))
            let ignoredWithOverride = try await api.send(.delete, "/api/customer/Nobody?checksum=override&ignoredeleted")
            #expect(ignoredWithOverride.status == .ok)
        }
    }

    @Test func staleChecksumIs412AndChangesNothing() async throws {
        try await withDemoApp { api in
            let checksum = try await api.checksum("/api/customer/Bravo%20Hardware")
            let patched = try await api.send(
                .patch, "/api/customer/Bravo%20Hardware", headers: [.contentType: "application/json"], body: #"{"balance": 99}"#)
            #expect(patched.status == .ok)
            let byHeader = try await api.send(.delete, "/api/customer/Bravo%20Hardware", headers: [.ifMatch: "\"\(checksum)\""])
            #expect(byHeader.status == .preconditionFailed)
            #expect(byHeader.code == "checksumMismatch")
            let byQuery = try await api.send(.delete, "/api/customer/Bravo%20Hardware?checksum=\(checksum)")
            #expect(byQuery.status == .preconditionFailed)
            let twoTags = try await api.send(.delete, "/api/customer/Bravo%20Hardware", headers: [.ifMatch: "\"A:1\", \"A:2\""])
            #expect(twoTags.status == .badRequest)
            #expect(twoTags.code == "invalidHeader")
            let weak = try await api.send(.delete, "/api/customer/Bravo%20Hardware", headers: [.ifMatch: "W/\"\(checksum)\""])
            #expect(weak.status == .preconditionFailed)
            #expect(try await api.send(.get, "/api/customer/Bravo%20Hardware").json?["balance"] == .number(99))
            let fresh = try await api.checksum("/api/customer/Bravo%20Hardware")
            #expect(try await api.send(.delete, "/api/customer/Bravo%20Hardware", headers: [.ifMatch: "\"\(fresh)\""]).status == .ok)
        }
    }

    @Test func requiredLockingIs428UntilAChecksumOrOverrideIsSent() async throws {
        try await withDemoApp { api in
            let missing = try await api.send(.delete, "/api/product/105")
            #expect(missing.status.code == 428)
            #expect(missing.code == "checksumRequired")
            #expect(try await api.send(.delete, "/api/product/105", headers: [.ifMatch: "*"]).status == .ok)
            #expect(try await api.send(.delete, "/api/product/104?checksum=override").status == .ok)
            let checksum = try await api.checksum("/api/product/103")
            #expect(try await api.send(.delete, "/api/product/103?checksum=\(checksum)").status == .ok)
        }
    }

    @Test func restrictIs409AndNamesEveryBlockingDependent() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/advertiser/3")
            #expect(reply.status == .conflict)
            #expect(reply.code == "restricted")
            let dependents = try #require(reply.json?["dependents"]?.arrayValue)
            #expect(dependents.count == 1)
            #expect(dependents[0]["resource"] == .string("campaign"))
            #expect(dependents[0]["count"] == .integer(2))
            #expect(dependents[0]["keys"] == .array([.integer(1), .integer(2)]))
            #expect(reply.json?["detail"]?.stringValue?.contains("campaign") == true)
            #expect(try await api.send(.get, "/api/advertiser/3").status == .ok)
            #expect(try await api.send(.get, "/api/campaign/1").status == .ok)
        }
    }

    @Test func setNullIsReportedAsUpdates() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/user/2")
            #expect(reply.status == .ok)
            let verbs = reply.json?["txsummary"]?.arrayValue?.compactMap { $0["@metadata"]?["verb"]?.stringValue }
            #expect(verbs == ["DELETE", "UPDATE", "UPDATE"])
            #expect(try await api.send(.get, "/api/campaign/1").json?["created_by"] == .null)
        }
    }

    @Test func keysAreDecodedAndChecked() async throws {
        try await withDemoApp { api in
            #expect(try await api.send(.delete, "/api/line_item/1,2").status == .ok)
            let wrongType = try await api.send(.delete, "/api/line_item/1,x")
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.code == "invalidKey")
            let wrongCount = try await api.send(.delete, "/api/line_item/1")
            #expect(wrongCount.status == .badRequest)
            #expect(wrongCount.code == "invalidKey")
            #expect(try await api.send(.delete, "/api/advertiser/1,2").code == "invalidKey")
            #expect(try await api.send(.delete, "/api/advertiser/1%2").code == "invalidKey")
        }
    }

    @Test func unknownResourceIs404AndPutIs405() async throws {
        try await withDemoApp { api in
            let unknown = try await api.send(.delete, "/api/invoice/1")
            #expect(unknown.status == .notFound)
            #expect(unknown.code == "unknownResource")
            let collection = try await api.send(.put, "/api/customer")
            #expect(collection.status == .methodNotAllowed)
            #expect(collection.headers[.allow] == "GET, HEAD, POST, DELETE")
        }
    }
}

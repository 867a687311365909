import HTTPTypes
import Hummingbird
import RestableCore
import RestableHTTP
import Testing

/// Previews over HTTP: a dry run answers its preview as its ETag, the same delete with
/// `If-Match` naming it commits exactly those rows, and a changed row is a 412 naming it.
@Suite struct PreviewHTTPTests {
    static let ifMatch = HTTPField.Name.ifMatch

    @Test func aReviewedFilterDeleteCommitsExactlyWhatWasReviewed() async throws {
        try await withDemoApp { api in
            let path = "/api/purchase_order?amount_total=lt.30"
            let dry = try await api.send(.delete, path + "&dryrun")
            #expect(dry.status == .ok && dry.json?["dryRun"] == .bool(true), "\(dry.text)")
            let tag = try #require(dry.json?["preview"]?.stringValue)
            #expect(Preview.isTag(tag))
            #expect(dry.headers[.eTag] == "\"\(tag)\"")
            #expect(dry.json?["counts"]?["line_item"]?["DELETE"] == .number(2))
            // Nothing went, and the same dry run gives the same tag.
            #expect(try await api.send(.delete, path + "&dryrun").headers[.eTag] == "\"\(tag)\"")
            #expect(try await api.send(.get, "/api/purchase_order/2").status == .ok)

            let commit = try await api.send(.delete, path, headers: [Self.ifMatch: "\"\(tag)\""])
            #expect(commit.status == .ok, "\(commit.text)")
            #expect(commit.json?["counts"]?["purchase_order"]?["DELETE"] == .number(2))
            #expect(commit.headers[.eTag] == nil && commit.json?["preview"] == nil)
            #expect(try await api.send(.get, "/api/purchase_order/2").status == .notFound)
        }
    }

    @Test func aRowChangedSinceThePreviewIsA412NamingItAndNothingChanges() async throws {
        try await withDemoApp { api in
            let dry = try await api.send(.delete, "/api/customer/Golf%20Industries?dryrun")
            let tag = try #require(dry.json?["preview"]?.stringValue)
            let checksum = try await api.checksum("/api/line_item/1,2")
            let patch = try await api.send(
                .patch, "/api/line_item/1,2", headers: [.contentType: "application/json", Self.ifMatch: "\"\(checksum)\""], body: #"{"qty": 7}"#)
            #expect(patch.status == .ok, "\(patch.text)")
            let before = try await api.send(.get, "/api/line_item").text

            let refused = try await api.send(.delete, "/api/customer/Golf%20Industries", headers: [Self.ifMatch: "\"\(tag)\""])
            #expect(refused.status == .preconditionFailed, "\(refused.text)")
            #expect(refused.code == "previewMismatch")
            #expect(refused.headers[.contentType] == "application/problem+json")
            let differences = try #require(refused.json?["differences"]?.arrayValue)
            #expect(differences.count == 1)
            #expect(differences.first?["kind"] == .string("changed") && differences.first?["resource"] == .string("line_item"))
            #expect(differences.first?["key"] == .array([.number(1), .number(2)]))
            #expect(try await api.send(.get, "/api/line_item").text == before)
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .ok)

            // A dry run checked against the old preview says the same; a new preview commits.
            let checked = try await api.send(.delete, "/api/customer/Golf%20Industries?dryrun", headers: [Self.ifMatch: "\"\(tag)\""])
            #expect(checked.status == .preconditionFailed)
            let fresh = try #require(try await api.send(.delete, "/api/customer/Golf%20Industries?dryrun").json?["preview"]?.stringValue)
            #expect(fresh != tag)
            let commit = try await api.send(.delete, "/api/customer/Golf%20Industries", headers: [Self.ifMatch: "\"\(fresh)\""])
            #expect(commit.status == .ok, "\(commit.text)")
        }
    }

    @Test func badPreviewTagsAreRefusedAndChangeNothing() async throws {
        try await withDemoApp { api in
            let before = try await api.send(.get, "/api/customer").text
            let cases: [(String, HTTPFields, HTTPResponse.Status, String)] = [
                ("/api/customer/Golf%20Industries", [Self.ifMatch: "\"P:123\""], .badRequest, "invalidHeader"),
                ("/api/customer/Golf%20Industries", [Self.ifMatch: "\"P:" + String(repeating: "A", count: 32) + "\""], .badRequest, "invalidHeader"),
                ("/api/customer/Golf%20Industries", [Self.ifMatch: "\"P:" + String(repeating: "0", count: 32) + "\""], .preconditionFailed, "previewMismatch"),
                ("/api/customer/Golf%20Industries?checksum=override", [Self.ifMatch: "\"P:" + String(repeating: "0", count: 32) + "\""], .badRequest, "invalidQuery"),
                // A weak tag never matches, so it is taken as a checksum that is not the row's.
                ("/api/customer/Golf%20Industries", [Self.ifMatch: "W/\"P:" + String(repeating: "0", count: 32) + "\""], .preconditionFailed, "checksumMismatch"),
            ]
            for (path, headers, status, code) in cases {
                let reply = try await api.send(.delete, path, headers: headers)
                #expect(reply.status == status && reply.code == code, "\(path) \(headers): \(reply.text)")
            }
            let patch = try await api.send(
                .patch, "/api/customer/Golf%20Industries",
                headers: [.contentType: "application/json", Self.ifMatch: "\"P:" + String(repeating: "0", count: 32) + "\""], body: #"{"balance": 1}"#)
            #expect(patch.status == .badRequest && patch.code == "invalidHeader", "\(patch.text)")
            #expect(try await api.send(.get, "/api/customer").text == before)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import RestableHTTP
import Testing

/// Buzz reads (a Restable extension), in the envelope of Buzz's deletes and with their key
/// forms, and the body members a Buzz route refuses.
@Suite struct BuzzReadTests {
    typealias Fixture = VendorReadFixture

    /// A Buzz client pages through a list, reads the objects it picked by id list, deletes
    /// exactly those, and reads again.
    @Test func aClientReadsPicksAndDeletesExactlyThoseObjects() async throws {
        try await withApp(yaml: Fixture.yaml) { api in
            var ids: [Int64] = []
            var url: String? = "/rest/company?limit=25"
            var pages = 0
            while let next = url {
                let page = try await api.send(.get, next)
                #expect(page.status == .ok)
                #expect(page.json?["status"]?.stringValue == "SUCCESS")
                ids += Fixture.ids(page.json?["payload"]?["items"])
                url = page.json?["payload"]?["next"]?.stringValue
                pages += 1
                #expect(pages < 10)
            }
            #expect(ids == Fixture.companies.map(\.id))
            #expect(pages == 3)

            let picked = try await api.send(.get, "/rest/company", body: #"{"id": [5, 99, 3, 5]}"#)
            #expect(picked.status == .ok)
            #expect(picked.json?["status"]?.stringValue == "WARNING")
            #expect(Fixture.ids(picked.json?["payload"]?["items"]) == [5, 3], "in the order asked, each once")
            #expect(picked.json?["payload"]?["missing"] == .array([.integer(99)]))

            let one = try await api.send(.get, "/rest/company/7")
            #expect(one.json?["status"]?.stringValue == "SUCCESS")
            #expect(one.json?["payload"]?["items"]?[0]?["name"]?.stringValue == "Company 07")

            let deleted = try await api.send(.delete, "/rest/company", body: #"{"id": [5, 3], "name": "ignored, as the seed says"}"#)
            #expect(deleted.status == .ok, "\(deleted.text)")
            #expect(deleted.json?["payload"]?["deleted"] == .array([.integer(5), .integer(3)]))
            let gone = try await api.send(.get, "/rest/company", body: #"{"id": [5, 3]}"#)
            #expect(gone.status == .notFound)
            #expect(gone.json?["status"]?.stringValue == "ERROR")
            #expect(gone.json?["payload"]?["missing"] == .array([.integer(5), .integer(3)]))
            #expect(try await api.send(.get, "/rest/company/3").status == .notFound)
            #expect(Fixture.ids(try await api.send(.get, "/rest/ticket?limit=1000").json?["payload"]?["items"]) == [1, 2, 3, 6, 8, 9], "the tickets of companies 3 and 5 went with them")
        }
    }

    @Test func whatABuzzRouteDoesNotDefineIsRefused() async throws {
        try await withApp(yaml: Fixture.yaml) { api in
            let typo = try await api.send(.delete, "/rest/company", body: #"{"id": [1, 2], "stirct": true}"#)
            #expect(typo.status == .badRequest)
            #expect(typo.json?["message"]?.stringValue?.contains("'stirct'") == true)
            #expect(Fixture.ids(try await api.send(.get, "/rest/company", body: #"{"id": [1, 2]}"#).json?["payload"]?["items"]) == [1, 2], "nothing deleted")

            let refusals: [(HTTPRequest.Method, String, String?, String)] = [
                (.get, "/rest/company", #"{"id": 1, "name": "x"}"#, "'name' is not read here"),
                (.get, "/rest/company", #"{"name": "x"}"#, "'name' is not read here"),
                (.get, "/rest/company", #"{"idd": 1}"#, "'idd' is not a field"),
                (.get, "/rest/company", #"{"id": []}"#, "id must be provided"),
                (.get, "/rest/company", #"{"id": [{"a": 1}]}"#, "single value"),
                (.get, "/rest/company/1?fields=id", nil, "'fields' is not understood"),
                (.get, "/rest/company/1", #"{"id": 1}"#, "send one"),
                (.get, "/rest/company?limit=0", nil, "from 1 to 1000"),
                (.get, "/rest/company?limit=1001", nil, "from 1 to 1000"),
                (.get, "/rest/company?offset=x", nil, "whole number"),
                (.get, "/rest/company?city=Bonn", nil, "'city' is not understood"),
                (.get, "/rest/company/abc", nil, "expects an integer"),
                (.get, "/rest/company?limit=5", #"{"id": [1, 2]}"#, "a Buzz GET of the ids in its body"),
            ]
            for (method, path, body, words) in refusals {
                let reply = try await api.send(method, path, body: body)
                #expect(reply.status == .badRequest, "\(path) \(body ?? ""): \(reply.text)")
                #expect(reply.json?["status"]?.stringValue == "ERROR")
                #expect(reply.json?["message"]?.stringValue?.contains(words) == true, "\(path) \(body ?? ""): \(reply.text)")
            }
            let many = "{\"id\": [" + (1...1001).map(String.init).joined(separator: ",") + "]}"
            #expect(try await api.send(.get, "/rest/company", body: many).status == .badRequest)
            #expect(try await api.send(.post, "/rest/company", body: #"{"id": 1}"#).status == .methodNotAllowed)
            let plain = try await api.send(.get, "/rest/company", headers: [.contentType: "text/plain"], body: #"{"id": 1}"#)
            #expect(plain.status == .unsupportedMediaType, "\(plain.text)")
            #expect(plain.json?["payload"]?["error"]?.stringValue == "unsupportedMediaType")
        }
    }
}

import HTTPTypes
import Hummingbird
import RestableCore
import RestableHTTP
import Testing

/// The native dialect's reads as PostgREST users expect them: `order`, `select`,
/// `Prefer: count=exact` with `Content-Range`, keyset pages linked by `Link: rel="next"`, and a
/// bounded page; every malformed parameter refused.
@Suite struct NativePagingTests {
    static let json: HTTPFields = [.contentType: "application/json"]
    static let countExact: HTTPFields = [HTTPField.Name("Prefer")!: "count=exact"]

    /// The target of a `Link: <...>; rel="next"` header.
    static func next(_ reply: Reply) -> String? {
        guard let link = reply.headers[HTTPField.Name("Link")!], link.hasPrefix("<"), link.hasSuffix(">; rel=\"next\""),
            let end = link.firstIndex(of: ">")
        else { return nil }
        return String(link[link.index(after: link.startIndex)..<end])
    }

    @Test func anOrderedSelectedCountedListIsPagedByItsLinks() async throws {
        try await withDemoApp { api in
            var uri: String? = "/api/product?order=price.desc&select=name,price&limit=2"
            var names: [String] = []
            var ranges: [String] = []
            while let page = uri {
                let reply = try await api.send(.get, page, headers: Self.countExact)
                #expect(reply.status == .ok)
                #expect(reply.headers[HTTPField.Name("Preference-Applied")!] == "count=exact")
                ranges.append(reply.headers[.contentRange] ?? "-")
                for row in try #require(reply.json?.arrayValue) {
                    #expect(row.objectValue?.map(\.0) == ["@metadata", "name", "price"])
                    names.append(row["name"]?.stringValue ?? "?")
                }
                uri = Self.next(reply)
                #expect(names.count <= 5)
            }
            #expect(names == ["Drill", "Ladder", "Shovel", "Pliers", "Hammer"])
            #expect(ranges == ["0-1/5", "2-3/5", "4-4/5"])
        }
    }

    @Test func withoutACountTheRangeSaysWhichRowsButNotOfHowMany() async throws {
        try await withDemoApp { api in
            let first = try await api.send(.get, "/api/product?limit=2&offset=1")
            #expect(first.headers[.contentRange] == "1-2/*")
            #expect(first.json?.arrayValue?.compactMap { $0["id"]?.integerValue } == [102, 103])
            // The next page starts after the last row, not at an offset.
            let link = try #require(Self.next(first))
            #expect(!link.contains("offset=") && link.contains("limit=2") && link.contains("after="))
            let second = try await api.send(.get, link)
            #expect(second.json?.arrayValue?.compactMap { $0["id"]?.integerValue } == [104, 105])
            #expect(second.headers[.contentRange] == nil)
            #expect(Self.next(second) == nil)
            let counted = try await api.send(.get, link, headers: Self.countExact)
            #expect(counted.headers[.contentRange] == "3-4/5")
            let empty = try await api.send(.get, "/api/product?limit=0", headers: Self.countExact)
            #expect(empty.json?.arrayValue?.isEmpty == true && empty.headers[.contentRange] == "*/5")
            let past = try await api.send(.get, "/api/product?offset=9", headers: Self.countExact)
            #expect(past.json?.arrayValue?.isEmpty == true && past.headers[.contentRange] == "*/5")
            #expect(try await api.send(.get, "/api/product?select=*").json?.arrayValue?.first?.objectValue?.count == 4)
        }
    }

    /// Nulls come last in a descending order and first in an ascending one, on every page.
    @Test func pagesThroughNullsInEitherDirection() async throws {
        try await withDemoApp { api in
            for direction in ["asc", "desc"] {
                let whole = try await api.send(.get, "/api/purchase_order?order=notes.\(direction)")
                let expected = try #require(whole.json?.arrayValue?.compactMap { $0["order_id"]?.integerValue })
                var uri: String? = "/api/purchase_order?order=notes.\(direction)&limit=1"
                var paged: [Int64] = []
                while let page = uri, paged.count <= expected.count {
                    let reply = try await api.send(.get, page)
                    paged += reply.json?.arrayValue?.compactMap { $0["order_id"]?.integerValue } ?? []
                    uri = Self.next(reply)
                }
                #expect(paged == expected, "\(direction)")
                let notes = whole.json?.arrayValue?.map { $0["notes"] == .null }
                #expect(direction == "asc" ? notes?.first == true : notes?.last == true)
            }
        }
    }

    /// A list without `limit` is one page of at most 1,000 rows, with a link to the rest.
    @Test func aListWithoutALimitIsOneBoundedPage() async throws {
        try await withDemoApp { api in
            let inserts = (1...1_004).map { #"{"@metadata": {"action": "INSERT", "resource": "user"}, "user_name": "u\#($0)", "email": "u\#($0)@example.com"}"# }
            #expect(try await api.send(.post, "/api", headers: Self.json, body: "[" + inserts.joined(separator: ",") + "]").status == .ok)
            let first = try await api.send(.get, "/api/user", headers: Self.countExact)
            #expect(first.json?.arrayValue?.count == NativeDialect.largestPage)
            #expect(first.headers[.contentRange] == "0-999/1009")
            let rest = try await api.send(.get, try #require(Self.next(first)))
            #expect(rest.json?.arrayValue?.count == 9 && Self.next(rest) == nil)
        }
    }

    @Test(arguments: [
        ("order=price.up", "unknownColumn"), ("order=colour", "unknownColumn"), ("order=", "invalidQuery"), ("order=name,,price", "invalidQuery"),
        ("order=price.nullslast", "invalidQuery"), ("order=name,name", "invalidQuery"), ("order=price&order=name", "invalidQuery"),
        ("select=", "invalidQuery"), ("select=name,", "invalidQuery"), ("select=colour", "unknownColumn"), ("select=name:label", "invalidQuery"),
        ("select=name,name", "invalidQuery"), ("select=orders(*)", "invalidQuery"), ("limit=1001", "invalidQuery"),
        ("after=", "invalidQuery"), ("after=bm90IGEgY3Vyc29y", "invalidQuery"), ("after=W1sidCJdXQ&offset=1", "invalidQuery"),
        ("after=W1sidHByaWNlLmRlc2MiXSxbImQxMjAiLCJpMTA1Il1d", "invalidQuery"),
        ("order=price.desc&after=W1sidHByaWNlLmRlc2MiXSxbInR4IiwiaTEwNSJdXQ", "invalidQuery"),
        ("order=price.desc&after=W1sidHByaWNlLmRlc2MiXSxbImQxMjAiXV0", "invalidQuery"),
        ("limit=0&after=bm90IGEgY3Vyc29y", "invalidQuery"),
    ])
    func malformedReadParametersAre400(query: String, code: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.get, "/api/product?" + query)
            #expect(reply.status == .badRequest, "\(query)")
            #expect(reply.code == code, "\(query): \(reply.text)")
        }
    }

    @Test func onlyAnExactCountIsOfferedAndReadParametersNeverReachADelete() async throws {
        try await withDemoApp { api in
            for prefer in ["count=planned", "count=estimated", "count", "count=EXACT;x=1"] {
                let reply = try await api.send(.get, "/api/product", headers: [HTTPField.Name("Prefer")!: prefer])
                #expect(reply.status == .badRequest && reply.code == "invalidHeader", "\(prefer)")
            }
            for query in ["order=price", "select=name", "after=x"] {
                let reply = try await api.send(.delete, "/api/product?" + query)
                #expect(reply.status == .badRequest && reply.code == "invalidQuery", "\(query)")
            }
            #expect(try await api.send(.get, "/api/product").json?.arrayValue?.count == 5)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import RestableHTTP
import Testing

/// Autotask's reads as its clients send them: zone discovery, the query API with every
/// operator and nested groups, pages followed through `nextPageUrl`, counts, child collections,
/// and each refusal.
@Suite struct AutotaskQueryTests {
    typealias Fixture = VendorReadFixture

    /// What an Autotask client library does: find its zone, query, follow every page, delete
    /// what it found by id, and query again.
    @Test func aClientFindsPagesThroughAndDeletesExactlyWhatItFound() async throws {
        try await withApp(yaml: Fixture.yaml) { api in
            let zone = try await api.send(.get, "/atservicesrest/v1.0/zoneInformation?user=loader@example.com")
            #expect(zone.status == .ok)
            let zoneURL = try #require(zone.json?["url"]?.stringValue)
            #expect(zoneURL.hasSuffix("/atservicesrest/"))
            let base = Self.path(zoneURL) + "V1.0"

            let search = #"{"filter":[{"op":"or","items":[{"op":"beginsWith","field":"City","value":"B"},{"op":"lt","field":"revenue","value":100}]},{"op":"exist","field":"Revenue"}],"MaxRecords":7}"#
            let expected = Fixture.ids { ($0.city?.hasPrefix("B") == true || ($0.revenue ?? .max) < 100) && $0.revenue != nil }
            #expect(expected.count > 21, "the search spans several pages")
            var found: [Int64] = []
            var url: String? = "\(base)/Companies/query?search=\(Self.encoded(search))"
            var pages = 0
            while let next = url {
                let page = try await api.send(.get, Self.path(next))
                #expect(page.status == .ok, "\(page.text)")
                let ids = Fixture.ids(page.json?["items"])
                #expect(ids.count <= 7)
                #expect(page.json?["pageDetails"]?["count"]?.integerValue == Int64(ids.count))
                #expect(page.json?["pageDetails"]?["requestCount"]?.integerValue == 7)
                found += ids
                pages += 1
                url = page.json?["pageDetails"]?["nextPageUrl"]?.stringValue
                #expect(pages < 20)
            }
            #expect(found == expected, "every matching row exactly once, in id order")
            #expect(pages == (expected.count + 6) / 7)

            let count = try await api.send(.post, "\(base)/Companies/query/count", headers: [.contentType: "application/json"], body: search)
            #expect(count.json == .object([("queryCount", .integer(Int64(expected.count)))]))

            for id in found {
                let deleted = try await api.send(.delete, "\(base)/Companies/\(id)")
                #expect(deleted.json == .object([("itemId", .integer(id))]))
            }
            let again = try await api.send(.post, "\(base)/Companies/query", headers: [.contentType: "application/json"], body: search)
            #expect(Fixture.ids(again.json?["items"]) == [])
            let left = try await api.send(.get, "\(base)/Companies/query?search=\(Self.encoded(#"{"filter":[{"op":"gte","field":"id","value":0}]}"#))")
            #expect(Fixture.ids(left.json?["items"]) == Fixture.companies.map(\.id).filter { !found.contains($0) })
        }
    }

    @Test func everyOperatorMatchesWhatTheVendorDocuments() async throws {
        typealias Company = Fixture.Company
        let cases: [(String, @Sendable (Company) -> Bool)] = [
            (#"{"op":"eq","field":"city","value":"Berlin"}"#, { $0.city == "Berlin" }),
            (#"{"op":"noteq","field":"city","value":"Berlin"}"#, { $0.city != nil && $0.city != "Berlin" }),
            (#"{"op":"gt","field":"revenue","value":500}"#, { ($0.revenue ?? .min) > 500 }),
            (#"{"op":"gte","field":"revenue","value":"500"}"#, { ($0.revenue ?? .min) >= 500 }),
            (#"{"op":"lt","field":"revenue","value":50}"#, { ($0.revenue ?? .max) < 50 }),
            (#"{"op":"lte","field":"revenue","value":50}"#, { ($0.revenue ?? .max) <= 50 }),
            (#"{"op":"beginsWith","field":"city","value":"Ber"}"#, { $0.city?.hasPrefix("Ber") == true }),
            (#"{"op":"endsWith","field":"city","value":"n"}"#, { $0.city?.hasSuffix("n") == true }),
            (#"{"op":"contains","field":"city","value":"%"}"#, { $0.city?.contains("%") == true }),
            (#"{"op":"contains","field":"name","value":"y 1"}"#, { $0.name.contains("y 1") }),
            (#"{"op":"exist","field":"city"}"#, { $0.city != nil }),
            (#"{"op":"notExist","field":"revenue"}"#, { $0.revenue == nil }),
            (#"{"op":"in","field":"city","value":["Bonn","berlin"]}"#, { ["Bonn", "berlin"].contains($0.city) }),
            (#"{"op":"notIn","field":"city","value":["Bonn","berlin"]}"#, { $0.city != nil && !["Bonn", "berlin"].contains($0.city) }),
            (#"{"op":"in","field":"id","value":[]}"#, { _ in false }),
            (
                #"{"op":"and","items":[{"op":"or","items":[{"op":"eq","field":"id","value":1},{"op":"gt","field":"id","value":55}]},{"op":"noteq","field":"id","value":58}]}"#,
                { ($0.id == 1 || $0.id > 55) && $0.id != 58 }
            ),
            (#"{"OP":"EQ","FIELD":"ID","VALUE":3,"udf":false}"#, { $0.id == 3 }),
        ]
        try await withApp(yaml: Fixture.yaml) { api in
            for (item, predicate) in cases {
                let search = #"{"filter":[\#(item)],"MaxRecords":500}"#
                let page = try await api.send(.get, "/atservicesrest/v1.0/Companies/query?search=\(Self.encoded(search))")
                #expect(page.status == .ok, "\(item): \(page.text)")
                #expect(Fixture.ids(page.json?["items"]) == Fixture.ids(predicate), "\(item)")
                let count = try await api.send(.get, "/atservicesrest/v1.0/Companies/query/count?search=\(Self.encoded(search))")
                #expect(count.json?["queryCount"]?.integerValue == Int64(Fixture.ids(predicate).count), "\(item)")
            }
        }
    }

    @Test func pagesGoBackThroughPrevPageUrlAndIncludeFieldsKeepsTheId() async throws {
        try await withApp(yaml: Fixture.yaml) { api in
            let search = #"{"filter":[{"op":"exist","field":"id"}],"IncludeFields":["City","city"],"maxRecords":25}"#
            let first = try await api.send(.post, "/ATServicesRest/V1.0/companies/query", headers: [.contentType: "application/json"], body: search)
            #expect(first.json?["pageDetails"]?["prevPageUrl"] == .null)
            #expect(first.json?["items"]?[0] == .object([("id", .integer(1)), ("city", .string("Boston"))]))
            let second = try await api.send(.get, Self.path(try #require(first.json?["pageDetails"]?["nextPageUrl"]?.stringValue)))
            let third = try await api.send(.get, Self.path(try #require(second.json?["pageDetails"]?["nextPageUrl"]?.stringValue)))
            #expect(Fixture.ids(third.json?["items"]) == Array(51...60))
            #expect(third.json?["pageDetails"]?["nextPageUrl"] == .null)
            let back = try await api.send(.get, Self.path(try #require(third.json?["pageDetails"]?["prevPageUrl"]?.stringValue)))
            #expect(Fixture.ids(back.json?["items"]) == Array(26...50))
            let start = try await api.send(.get, Self.path(try #require(back.json?["pageDetails"]?["prevPageUrl"]?.stringValue)))
            #expect(Fixture.ids(start.json?["items"]) == Array(1...25))
            #expect(start.json?["pageDetails"]?["prevPageUrl"] == .null)

            let whole = try await api.send(.get, "/atservicesrest/v1.0/Companies/query?search=\(Self.encoded(#"{"filter":[{"op":"exist","field":"id"}]}"#))")
            #expect(whole.json?["pageDetails"]?["requestCount"]?.integerValue == 500)
            #expect(Fixture.ids(whole.json?["items"]).count == 60)
        }
    }

    @Test func childCollectionsListAndAddressAParentsChildren() async throws {
        try await withApp(yaml: Fixture.yaml) { api in
            let tickets = try await api.send(.get, "/atservicesrest/v1.0/Companies/2/Tickets")
            #expect(tickets.status == .ok)
            #expect(Fixture.ids(tickets.json?["items"]) == [1, 2, 3])
            #expect(tickets.json?["items"]?[0]?["company_id"]?.integerValue == 2)
            #expect(try await api.send(.get, "/atservicesrest/v1.0/Companies/2/Tickets/2").json?["item"]?["title"]?.stringValue == "T2")
            #expect(try await api.send(.get, "/atservicesrest/v1.0/Companies/3/Tickets/2").status == .notFound)
            #expect(Fixture.ids(try await api.send(.get, "/atservicesrest/v1.0/Companies/9/Tickets").json?["items"]) == [])
            let missing = try await api.send(.get, "/atservicesrest/v1.0/Companies/99/Tickets")
            #expect(missing.status == .notFound)
            #expect(missing.json?["errors"]?[0]?.stringValue != nil)
        }
    }

    @Test func everyMalformedQueryIsRefusedNamingWhatIsWrong() async throws {
        let refusals: [(String, String)] = [
            ("?search=%7Bnot%20json", "not valid JSON"),
            ("?search=" + Self.encoded(#"[]"#), "JSON object"),
            ("?search=" + Self.encoded(#"{}"#), "'filter'"),
            ("?search=" + Self.encoded(#"{"filter":[]}"#), "at least one"),
            ("?search=" + Self.encoded(#"{"filter":{}}"#), "must be an array"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"like","field":"city","value":"x"}]}"#), "unknown operator 'like'"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"town","value":"x"}]}"#), "no field 'town'"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"city","valu":"x"}]}"#), "unknown member 'valu'"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"city"}]}"#), "needs a 'value'"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"city","value":null}]}"#), "needs a 'value'"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"revenue","value":"ten"}]}"#), "expects an integer"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"beginsWith","field":"revenue","value":"1"}]}"#), "text columns"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"in","field":"id","value":3}]}"#), "'value' array"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"exist","field":"id","value":3}]}"#), "takes no value"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"or"}]}"#), "'items' array"),
            // An empty 'and' group would be every row: a whole table read, then deleted.
            ("?search=" + Self.encoded(#"{"filter":[{"op":"and","items":[]}]}"#), "at least one item"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"or","items":[]}]}"#), "at least one item"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"like"}]}"#), "unknown operator 'like'"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1}],"MaxRecords":2.0}"#), "without a point"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1,"udf":true}]}"#), "user-defined"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1}],"MaxRecords":501}"#), "1 to 500"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1}],"MaxRecords":0}"#), "1 to 500"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1}],"MaxRecords":"5"}"#), "1 to 500"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1}],"IncludeFields":["town"]}"#), "no field 'town'"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1}],"Filter":[]}"#), "twice"),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1}],"pageSize":5}"#), "unknown member 'pageSize'"),
            ("", "needs ?search="),
            ("?search=" + Self.encoded(#"{"filter":[{"op":"eq","field":"id","value":1}]}"#) + "&MaxRecords=5", "'MaxRecords' is not understood"),
        ]
        try await withApp(yaml: Fixture.yaml) { api in
            for (query, words) in refusals {
                let reply = try await api.send(.get, "/atservicesrest/v1.0/Companies/query\(query)")
                #expect(reply.status == .badRequest, "\(query): \(reply.text)")
                let message = reply.json?["errors"]?[0]?.stringValue ?? ""
                #expect(message.contains(words), "\(query): \(message)")
            }
            let post = try await api.send(
                .post, "/atservicesrest/v1.0/Companies/query?search=x", headers: [.contentType: "application/json"],
                body: #"{"filter":[{"op":"exist","field":"id"}]}"#)
            #expect(post.status == .badRequest)
            let plain = try await api.send(
                .post, "/atservicesrest/v1.0/Companies/query", headers: [.contentType: "text/plain"], body: #"{"filter":[{"op":"exist","field":"id"}]}"#)
            #expect(plain.status == .unsupportedMediaType, "not a 500: \(plain.text)")
            #expect(try await api.send(.get, "/atservicesrest/v1.0/Companies/query/next?paging=%7B%7D&search=%7B%7D").status == .badRequest)
            #expect(try await api.send(.get, "/atservicesrest/v1.0/Companies/query/later").status == .notFound)
            #expect(try await api.send(.delete, "/atservicesrest/v1.0/Companies/query").status == .methodNotAllowed)
            #expect(try await api.send(.get, "/atservicesrest/v1.0/Companies/1?fields=id").status == .badRequest)
            #expect(try await api.send(.get, "/atservicesrest/v1.0/zoneInformation").status == .badRequest)
            #expect(try await api.send(.get, "/atservicesrest/v1.0/zoneInformation?user=a&zone=1").status == .badRequest)
        }
    }

    /// A URL's path and query (the test client takes no scheme or host).
    static func path(_ url: String) -> String {
        guard let start = url.range(of: "://"), let slash = url[start.upperBound...].firstIndex(of: "/") else { return url }
        return String(url[slash...])
    }

    static func encoded(_ text: String) -> String {
        PercentEncoding.encode(text)
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import RestableHTTP
import Testing

/// Live API Creator's reads as its clients send them: `sysfilter` with every function and its
/// `_or` form, several sysfilters, `sysorder`, pages followed through `next_batch`, and each
/// refusal, in LAC's error format.
@Suite struct LiveAPIQueryTests {
    typealias Fixture = VendorReadFixture
    static let base = "/rest/default/crm/v1/crm:company"

    /// What a LAC client does: read every page of a filtered, sorted query, then delete each
    /// object it read with the checksum it read, and read again. (`greaterequal_or` applies
    /// `>=` to each expression: revenue at least 400, or a city from "Boston" on, bytewise.)
    @Test func aClientFindsPagesThroughAndDeletesExactlyWhatItFound() async throws {
        try await withApp(yaml: Fixture.yaml) { api in
            let sysfilter = Self.encoded("greaterequal_or(revenue: 400, city: 'Boston')")
            var url: String? = "\(Self.base)?sysfilter=\(sysfilter)&sysfilter=\(Self.encoded("notnull(revenue: null)"))&sysorder=\(Self.encoded("(revenue:desc)"))&pagesize=6"
            let expected = Fixture.companies
                .filter { company in
                    let city = company.city.map { !Array($0.utf8).lexicographicallyPrecedes(Array("Boston".utf8)) } ?? false
                    return company.revenue != nil && (company.revenue! >= 400 || city)
                }
                .sorted { ($0.revenue!, $1.id) > ($1.revenue!, $0.id) }
            #expect(expected.count > 12)
            var objects: [JSON] = []
            var pages = 0
            while let next = url {
                let page = try await api.send(.get, AutotaskQueryTests.path(next))
                #expect(page.status == .ok, "\(page.text)")
                var elements = page.json?.arrayValue ?? []
                url = nil
                if let last = elements.last, let batch = last["@metadata"]?["next_batch"]?.stringValue {
                    url = batch
                    elements.removeLast()
                    #expect(elements.count == 6)
                }
                objects += elements
                pages += 1
                #expect(pages < 20)
            }
            #expect(objects.compactMap { $0["id"]?.integerValue } == expected.map(\.id))
            for object in objects {
                let href = try #require(object["@metadata"]?["href"]?.stringValue)
                let checksum = try #require(object["@metadata"]?["checksum"]?.stringValue)
                let deleted = try await api.send(.delete, AutotaskQueryTests.path(href) + "?checksum=" + Self.encoded(checksum))
                #expect(deleted.status == .ok, "\(deleted.text)")
            }
            let left = try await api.send(.get, "\(Self.base)?pagesize=1000")
            #expect(left.json?.arrayValue?.compactMap { $0["id"]?.integerValue } == Fixture.companies.map(\.id).filter { id in !expected.contains { $0.id == id } })
        }
    }

    @Test func everyFunctionMatchesWhatLACDocuments() async throws {
        typealias Company = Fixture.Company
        let cases: [(String, @Sendable (Company) -> Bool)] = [
            ("equal(city: 'Berlin')", { $0.city == "Berlin" }),
            ("equal(city:'Berlin',revenue:60)", { $0.city == "Berlin" && $0.revenue == 60 }),
            ("equal_or(city: 'Berlin', city: 'Bonn')", { $0.city == "Berlin" || $0.city == "Bonn" }),
            ("notequal(city: 'Berlin')", { $0.city != nil && $0.city != "Berlin" }),
            ("less(revenue: 50)", { ($0.revenue ?? .max) < 50 }),
            ("lessequal(revenue: 50)", { ($0.revenue ?? .max) <= 50 }),
            ("greater(revenue: 550)", { ($0.revenue ?? .min) > 550 }),
            ("greaterequal(revenue: 550)", { ($0.revenue ?? .min) >= 550 }),
            ("like(city: 'B%n')", { $0.city.map { $0.hasPrefix("B") && $0.hasSuffix("n") } ?? false }),
            ("like(city: 'Bern\\%')", { $0.city == "Bern%" }),
            ("like(name: 'Company _5')", { $0.name.count == 10 && $0.name.hasSuffix("5") }),
            ("notlike(city: 'B%')", { $0.city.map { !$0.hasPrefix("B") } ?? false }),
            ("null(city: null)", { $0.city == nil }),
            ("notnull(revenue: null)", { $0.revenue != nil }),
            ("less_or(id: 3, id: 3)", { $0.id < 3 }),
            ("equal(name: 'Company 07')", { $0.name == "Company 07" }),
        ]
        try await withApp(yaml: Fixture.yaml) { api in
            for (sysfilter, predicate) in cases {
                let page = try await api.send(.get, "\(Self.base)?pagesize=1000&sysfilter=\(Self.encoded(sysfilter))")
                #expect(page.status == .ok, "\(sysfilter): \(page.text)")
                #expect(page.json?.arrayValue?.compactMap { $0["id"]?.integerValue } == Fixture.ids(predicate), "\(sysfilter)")
            }
            let quoted = try await api.send(.get, "\(Self.base)?sysfilter=\(Self.encoded("equal(name: 'it''s')"))")
            #expect(quoted.json == .array([]))
        }
    }

    @Test func sysorderSortsAndEndsWithTheKey() async throws {
        try await withApp(yaml: Fixture.yaml) { api in
            let page = try await api.send(.get, "\(Self.base)?pagesize=1000&sysorder=\(Self.encoded("(city:desc, revenue)"))")
            let expected = Fixture.companies.sorted { left, right in
                // Descending puts nulls last; ascending puts them first.
                if left.city != right.city {
                    guard let a = left.city else { return false }
                    guard let b = right.city else { return true }
                    return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) == false
                }
                if left.revenue != right.revenue {
                    guard let a = left.revenue else { return true }
                    guard let b = right.revenue else { return false }
                    return a < b
                }
                return left.id < right.id
            }
            #expect(page.json?.arrayValue?.compactMap { $0["id"]?.integerValue } == expected.map(\.id))
            let defaultPage = try await api.send(.get, Self.base)
            let elements = defaultPage.json?.arrayValue ?? []
            #expect(elements.count == 21, "20 objects and the next_batch link")
            #expect(elements.last?["@metadata"]?["next_batch"]?.stringValue?.hasSuffix("crm:company?pagesize=20&offset=20") == true)
        }
    }

    @Test func whatRestableCannotReadIsRefusedNeverIgnored() async throws {
        let refusals: [(String, String, String)] = [
            ("sysfilter=" + Self.encoded("equal(town: 'x')"), "unknownColumn", "no column 'town'"),
            ("sysfilter=" + Self.encoded("equals(city: 'x')"), "invalidFilter", "unknown sysfilter 'equals'"),
            ("sysfilter=" + Self.encoded("equal_uc(city: 'x')"), "invalidFilter", "_uc"),
            ("sysfilter=" + Self.encoded("equal(city: Berlin)"), "invalidFilter", "single quotes"),
            ("sysfilter=" + Self.encoded("equal(city: 'Berlin'"), "invalidFilter", "expected ','"),
            ("sysfilter=" + Self.encoded("equal(city: 'Berlin) "), "invalidFilter", "no closing quote"),
            ("sysfilter=" + Self.encoded("equal(city: 'a') x"), "invalidFilter", "nothing may follow"),
            ("sysfilter=" + Self.encoded("equal(city 'a')"), "invalidFilter", "column: value"),
            ("sysfilter=" + Self.encoded("equal(revenue: 'ten')"), "invalidFilter", "expects an integer"),
            ("sysfilter=" + Self.encoded("null(city: 'x')"), "invalidFilter", "takes null"),
            ("sysfilter=" + Self.encoded("equal(city: null)"), "invalidFilter", "test for null"),
            ("sysfilter=" + Self.encoded("like(revenue: '1%')"), "invalidFilter", "text columns"),
            ("sysfilter", "invalidFilter", "cannot be read"),
            ("sysorder=" + Self.encoded("(city:asc_uc)"), "invalidQuery", "asc_uc"),
            ("sysorder=" + Self.encoded("city"), "invalidQuery", "(column:asc"),
            ("sysorder=" + Self.encoded("(town)"), "unknownColumn", "no column 'town'"),
            ("sysorder=" + Self.encoded("(city, city:desc)"), "invalidQuery", "twice"),
            ("sysorder=" + Self.encoded("(city)") + "&sysorder=" + Self.encoded("(id)"), "invalidQuery", "given 2 times"),
            ("filter=" + Self.encoded("name like 'A%'"), "invalidQuery", "free-form 'filter'"),
            ("order=name", "invalidQuery", "sysorder=(name:desc)"),
            ("limit=5000", "invalidQuery", "limit must be from 1 to 1000"),
            // A number is a typed value: on a text column it is refused, not read as text.
            ("sysfilter=" + Self.encoded("equal(city: 5)"), "invalidFilter", "city"),
            ("pagesize=0", "invalidQuery", "from 1 to 1000"),
            ("pagesize=1001", "invalidQuery", "from 1 to 1000"),
            ("offset=-1", "invalidQuery", "whole number"),
            ("sysfilters=" + Self.encoded("equal(city: 'x')"), "invalidQuery", "'sysfilters' is not understood"),
        ]
        try await withApp(yaml: Fixture.yaml) { api in
            for (query, code, words) in refusals {
                let reply = try await api.send(.get, "\(Self.base)?\(query)")
                #expect(reply.status == .badRequest, "\(query): \(reply.text)")
                #expect(reply.json?["errorCode"]?.stringValue == code, "\(query): \(reply.text)")
                #expect(reply.json?["errorMessage"]?.stringValue?.contains(words) == true, "\(query): \(reply.text)")
            }
            // A GET reads no body: a filter sent there is refused, not ignored for a full table.
            for path in [Self.base, "\(Self.base)/1"] {
                let withBody = try await api.send(
                    .get, path, headers: [.contentType: "application/json"], body: #"{"sysfilter": "equal(city: 'Bonn')"}"#)
                #expect(withBody.status == .badRequest, "\(path): \(withBody.text)")
                #expect(withBody.json?["errorMessage"]?.stringValue?.contains("reads no body") == true, "\(withBody.text)")
            }
        }
    }

    /// Body members are refused as query parameters are: a typo in @metadata (`actoin`) would
    /// otherwise turn a DELETE into the default UPDATE.
    @Test func anUnknownMetadataMemberIsRefusedNeverIgnored() async throws {
        try await withApp(yaml: Fixture.yaml) { api in
            let json: HTTPFields = [.contentType: "application/json"]
            let typo = try await api.send(
                .put, "/rest/default/crm/v1", headers: json,
                body: #"[{"@metadata": {"href": "/rest/default/crm/v1/crm:company/1", "actoin": "DELETE", "checksum": "override"}}]"#)
            #expect(typo.status == .badRequest)
            #expect(typo.json?["errorMessage"]?.stringValue?.contains("@metadata.actoin") == true, "\(typo.text)")
            let other = try await api.send(.post, Self.base, headers: json, body: #"{"@meta": {}, "name": "X"}"#)
            #expect(other.status == .badRequest)
            #expect(other.json?["errorMessage"]?.stringValue?.contains("'@meta'") == true)
            #expect(try await api.send(.get, "\(Self.base)/1").status == .ok, "nothing was deleted")
            let read = try await api.send(.get, "\(Self.base)/1")
            let object = try #require(read.json)
            let back = try await api.send(.put, Self.base, headers: json, body: "[\(object.text)]")
            #expect(back.status == .ok, "an object PUT back as it was read is accepted: \(back.text)")
        }
    }

    static func encoded(_ text: String) -> String {
        PercentEncoding.encode(text)
    }
}

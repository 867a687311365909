import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RestableApp
import RestableCore
@testable import RestableHTTP
import Synchronization
import Testing

/// `/metrics` after a known mix of requests shows exactly their counts; JSON log lines are
/// whole objects with the request's id.
@Suite struct MetricsAndLogsTests {
    static let json: HTTPFields = [.contentType: "application/json"]

    /// The samples of a scrape: each series (name and labels, as written) and its value.
    static func samples(_ text: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    @Test func aScrapeCountsAKnownMixOfRequestsExactly() async throws {
        try await withDemoApp { api in
            for _ in 0..<2 { #expect(try await api.send(.get, "/api/product").status == .ok) }
            let deleted = try await api.send(.delete, "/api/contact_group/4")
            #expect(deleted.status == .ok)
            let transaction = try #require(deleted.json?["transaction"]?.stringValue)
            #expect(try await api.send(.delete, "/api/product/101").status == .preconditionRequired)
            #expect(try await api.send(.delete, "/api/contact_group/999").status == .notFound)
            #expect(try await api.send(.get, "/api/nope").status == .notFound)
            let batch = #"""
                [{"@metadata": {"action": "INSERT", "resource": "customer"}, "name": "Zed", "balance": 1},
                 {"@metadata": {"action": "DELETE", "href": "/api/customer/Zed"}}]
                """#
            #expect(try await api.send(.post, "/api", headers: Self.json, body: batch).status == .ok)
            #expect(try await api.send(.post, "/api/_transactions/\(transaction)/undo").status == .ok)
            #expect(try await api.send(.get, "/health").status == .ok)

            let scrape = try await api.send(.get, "/metrics")
            #expect(scrape.status == .ok)
            #expect(scrape.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let samples = Self.samples(scrape.text)
            let expected: [String: String] = [
                #"restable_http_requests_total{mount="/api",route="/{resource}",method="GET",status="200"}"#: "2",
                #"restable_http_requests_total{mount="/api",route="/{resource}/{key}",method="DELETE",status="200"}"#: "1",
                #"restable_http_requests_total{mount="/api",route="/{resource}/{key}",method="DELETE",status="428"}"#: "1",
                #"restable_http_requests_total{mount="/api",route="/{resource}/{key}",method="DELETE",status="404"}"#: "1",
                #"restable_http_requests_total{mount="/api",route="/{resource}",method="GET",status="404"}"#: "1",
                #"restable_http_requests_total{mount="/api",route="/",method="POST",status="200"}"#: "1",
                #"restable_http_requests_total{mount="/api",route="/_transactions/{key}/undo",method="POST",status="200"}"#: "1",
                #"restable_http_requests_total{mount="",route="/health",method="GET",status="200"}"#: "1",
                #"restable_http_request_duration_seconds_count{mount="/api",route="/{resource}/{key}"}"#: "3",
                #"restable_rows_changed_total{resource="contact_group",verb="DELETE",action="delete"}"#: "1",
                #"restable_rows_changed_total{resource="contact_group_contact",verb="DELETE",action="delete"}"#: "2",
                #"restable_rows_changed_total{resource="customer",verb="INSERT",action="batch"}"#: "1",
                #"restable_rows_changed_total{resource="customer",verb="DELETE",action="batch"}"#: "1",
                #"restable_rows_changed_total{resource="contact_group",verb="INSERT",action="undo"}"#: "1",
                #"restable_rows_changed_total{resource="contact_group_contact",verb="INSERT",action="undo"}"#: "2",
                #"restable_deletes_refused_total{action="delete",resource="product",code="checksumRequired"}"#: "1",
                #"restable_deletes_refused_total{action="delete",resource="contact_group",code="notFound"}"#: "1",
                #"restable_db_transactions_in_flight{kind="read"}"#: "0.0",
                #"restable_db_transactions_in_flight{kind="write"}"#: "0.0",
            ]
            for (series, value) in expected { #expect(samples[series] == value, "\(series)") }
            // Nothing else was counted: every request, row and refusal is one of those above.
            #expect(samples.keys.filter { $0.hasPrefix("restable_http_requests_total") }.count == 8)
            #expect(samples.keys.filter { $0.hasPrefix("restable_rows_changed_total") }.count == 6)
            #expect(samples.keys.filter { $0.hasPrefix("restable_deletes_refused_total") }.count == 2)
            #expect(samples["restable_db_connections"] != nil)

            let again = Self.samples(try await api.send(.get, "/metrics").text)
            #expect(again[#"restable_http_requests_total{mount="",route="/metrics",method="GET",status="200"}"#] == "1")
            #expect(try await api.send(.delete, "/metrics").status == .methodNotAllowed)
            for route in ["/metrics?format=json", "/health?verbose=1"] {
                let refused = try await api.send(.get, route)
                #expect(refused.status == .badRequest && refused.code == "invalidQuery", "\(route)")
            }
        }
    }

    /// A route label never holds what the client sent: names become `{resource}` and `{key}`,
    /// and a method HTTP does not define for resources is `other`.
    @Test func routeLabelsHaveFewValues() {
        #expect(RoutePlace.route([], words: []) == "/")
        #expect(RoutePlace.route(["customer"], words: []) == "/{resource}")
        #expect(RoutePlace.route(["customer", "Golf%20Industries", "undelete"], words: ["undelete"]) == "/{resource}/{key}/undelete")
        #expect(RoutePlace.route(["_transactions", "1764982800123-3fa9c2b1d07e", "undo"], words: ["_transactions", "undo"]) == "/_transactions/{key}/undo")
        #expect(RoutePlace.route(["_a1"], words: ["_transactions"]) == "/{resource}", "a made-up word is a resource")
        #expect(RoutePlace.route(["Companies", "QUERY", "count"], words: ["query", "count"]) == "/{resource}/query/count")
        #expect(RoutePlace.route(["openapi.json"], words: []) == "/openapi.json")
        #expect(RoutePlace.route(["undo"], words: ["undo"]) == "/undo")
        #expect(RoutePlace.route(Array(repeating: "a", count: 9), words: []) == "/{resource}/{key}/{key}/{key}/{key}/{key}/...")
        #expect(RoutePlace.method(.delete) == "DELETE" && RoutePlace.method(HTTPRequest.Method("PURGE")!) == "other")
    }

    @Test func metricsCanBeTurnedOffAndTheLogFormatIsReadStrictly() async throws {
        let yaml = """
            database: "sqlite::memory:"
            server: { metrics: false, logFormat: json }
            resources:
              item: { key: id, columns: { id: integer } }
            """
        let configuration = try ConfigurationLoader.parse(yaml, file: "test.yaml")
        #expect(!configuration.metrics && configuration.logFormat == .json)
        try await withApp(yaml: yaml) { api in
            let reply = try await api.send(.get, "/metrics")
            #expect(reply.status == .notFound)
        }
        for bad in ["server: { logFormat: yaml }", "server: { metrics: maybe }"] {
            #expect(throws: ConfigurationError.self) {
                try ConfigurationLoader.parse("database: \"sqlite::memory:\"\n\(bad)\nresources:\n  item: { key: id, columns: { id: integer } }\n", file: "t.yaml")
            }
        }
    }

    @Test func aJSONLogLineIsOneObjectWithTheEntrysMetadata() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "restable") { label in JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } } }
        logger[metadataKey: "server"] = "a"
        logger.info(
            "DELETE /api/x 200", metadata: ["request": "abc-123", "level": "spoofed", "counts": ["x": "1"], "quote": "say \"hi\"\nbye"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1 && written[0].hasSuffix("}\n") && written[0].filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONParser.parse(Array(written[0].utf8)).objectValue)
        let members = Dictionary(object, uniquingKeysWith: { first, _ in first })
        #expect(object.prefix(5).map(\.0) == ["time", "level", "label", "message", "source"])
        #expect(members["level"] == .string("info") && members["message"] == .string("DELETE /api/x 200") && members["label"] == .string("restable"))
        #expect(members["request"] == .string("abc-123") && members["server"] == .string("a"))
        #expect(members["metadata.level"] == .string("spoofed"))
        #expect(members["counts"]?["x"] == .string("1"))
        #expect(members["quote"] == .string("say \"hi\"\nbye"))
        let time = try #require(members["time"]?.stringValue)
        #expect(time.hasSuffix("Z") && time.count == 24, "\(time)")
    }
}

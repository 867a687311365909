import Foundation
import HTTPTypes
import Hummingbird
import RestableApp
import RestableCore
@testable import RestableHTTP
import Testing

/// The REST Lab's routes: the page and its files with their types and security headers, the
/// refusals of `/health` (405, 400) and a 404 for anything else under `/lab/`, `server.lab:
/// false`, a mount at `/lab` refused, and `mounts.json` saying what each mount is and asks for.
/// (The page itself runs in a real browser in scripts/lab-browser-test.)
@Suite struct LabPageTests {
    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    @Test func servesThePageAndItsFilesWithTheirTypesAndPolicy() async throws {
        try await withDemoApp { api in
            let files = [
                ("/lab", "text/html; charset=utf-8"), ("/lab/", "text/html; charset=utf-8"), ("/lab/lab.css", "text/css; charset=utf-8"),
                ("/lab/lab.js", "text/javascript; charset=utf-8"), ("/lab/mounts.json", "application/json"),
            ]
            for (path, type) in files {
                for method in [HTTPRequest.Method.get, .head] {
                    let reply = try await api.send(method, path)
                    #expect(reply.status == .ok, "\(method) \(path)")
                    #expect(reply.contentType == type, "\(path)")
                    #expect(reply.headers[.contentSecurityPolicy] == Self.policy, "\(path)")
                    #expect(reply.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                    #expect(reply.headers[.cacheControl] == "no-cache", "\(path)")
                    #expect(reply.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)")
                    // (A HEAD's body is dropped by the HTTP server, not by the in-memory test client.)
                    #expect(!reply.text.isEmpty, "\(method) \(path)")
                }
            }
            let page = try await api.send(.get, "/lab").text
            #expect(page.contains(#"<script src="/lab/lab.js" defer></script>"#))
            #expect(page.contains(#"<link rel="stylesheet" href="/lab/lab.css">"#))
            // The policy forbids inline script and style; the page has none, and nothing is fetched elsewhere.
            #expect(page.components(separatedBy: "<script").count == 2 && !page.contains("<style") && !page.contains(" style="))
            #expect(page.range(of: #" on[a-z]+="#, options: .regularExpression) == nil, "no inline event handler")
            for path in ["/lab", "/lab/lab.css", "/lab/lab.js"] {
                let text = try await api.send(.get, path).text
                #expect(!text.contains("http://") && !text.contains("https://") && !text.contains("//fonts") && !text.contains("@import"), "\(path)")
            }
            let script = try await api.send(.get, "/lab/lab.js").text
            #expect(script.hasPrefix("\"use strict\";\n(() => {\n") && script.hasSuffix("})();\n"))
            #expect(!script.contains("innerHTML") && !script.contains("eval(") && !script.contains("document.write"))
        }
    }

    @Test func refusesOtherMethodsQueriesAndUnknownFiles() async throws {
        try await withDemoApp { api in
            for (method, path) in [(HTTPRequest.Method.post, "/lab"), (.delete, "/lab/lab.js"), (.put, "/lab/mounts.json"), (.patch, "/lab/")] {
                let reply = try await api.send(method, path)
                #expect(reply.status == .methodNotAllowed && reply.code == "methodNotAllowed", "\(method) \(path)")
                #expect(reply.headers[.allow] == "GET, HEAD" && reply.contentType == "application/problem+json")
                #expect(reply.headers[.contentSecurityPolicy] == Self.policy)
            }
            for path in ["/lab?mount=/api", "/lab/lab.js?v=2", "/lab/mounts.json?x"] {
                let reply = try await api.send(.get, path)
                #expect(reply.status == .badRequest && reply.code == "invalidQuery", "\(path)")
                #expect(reply.json?["detail"]?.stringValue?.hasSuffix("takes no query parameters") == true)
            }
            for path in ["/lab/nope", "/lab/lab.js/x", "/lab//lab.js", "/lab/LAB.JS", "/lab/..%2Fhealth"] {
                let reply = try await api.send(.get, path)
                #expect(reply.status == .notFound && reply.code == "notFound" && reply.contentType == "application/problem+json", "\(path)")
                #expect(reply.headers[.contentSecurityPolicy] == Self.policy)
            }
            let elsewhere = try await api.send(.get, "/labs")
            #expect(elsewhere.status == .notFound && elsewhere.headers[.contentSecurityPolicy] == nil, "/labs is not the Lab's")
        }
    }

    @Test func isCountedUnderFixedRoutes() async throws {
        try await withDemoApp { api in
            for path in ["/lab", "/lab/", "/lab/lab.js", "/lab/mounts.json", "/lab/x1", "/lab/x2"] { _ = try await api.send(.get, path) }
            _ = try await api.send(.post, "/lab")
            let samples = MetricsAndLogsTests.samples(try await api.send(.get, "/metrics").text)
            let expected = [
                #"restable_http_requests_total{mount="",route="/lab",method="GET",status="200"}"#: "2",
                #"restable_http_requests_total{mount="",route="/lab/lab.js",method="GET",status="200"}"#: "1",
                #"restable_http_requests_total{mount="",route="/lab/mounts.json",method="GET",status="200"}"#: "1",
                #"restable_http_requests_total{mount="",route="/lab/{file}",method="GET",status="404"}"#: "2",
                #"restable_http_requests_total{mount="",route="/lab",method="POST",status="405"}"#: "1",
            ]
            for (series, value) in expected { #expect(samples[series] == value, "\(series)") }
            #expect(!samples.keys.contains { $0.contains("x1") || $0.contains("x2") })
        }
    }

    @Test func serverLabFalseTurnsItOff() async throws {
        let yaml = """
            database: "sqlite::memory:"
            server: { lab: false }
            resources:
              item: { key: id, columns: { id: integer } }
            """
        #expect(try ConfigurationLoader.parse(yaml, file: "test.yaml").lab == false)
        #expect(try DemoConfiguration.load().lab == true)
        try await withApp(yaml: yaml) { api in
            for path in ["/lab", "/lab/lab.js", "/lab/mounts.json"] {
                let reply = try await api.send(.get, path)
                #expect(reply.status == .notFound && reply.code == "notFound" && reply.headers[.contentSecurityPolicy] == nil, "\(path)")
            }
            #expect(try await api.send(.get, "/api/item").status == .ok)
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parse("database: \"sqlite::memory:\"\nserver: { lab: maybe }\nresources:\n  item: { key: id, columns: { id: integer } }\n", file: "t.yaml")
        }
    }

    @Test func aMountAtLabOrUnderItIsRefused() throws {
        for path in ["/lab", "/lab/", "/lab/api", "/LAB", "/Lab/x"] {
            let yaml = "database: \"sqlite::memory:\"\nresources:\n  item: { key: id, columns: { id: integer } }\nmounts:\n  - { path: \(path), dialect: native }\n"
            #expect(throws: ConfigurationError.self, "\(path)") { try ConfigurationLoader.parse(yaml, file: "t.yaml") }
            do {
                _ = try ConfigurationLoader.parse(yaml, file: "t.yaml")
            } catch {
                #expect(error.description.contains("neither /health, /metrics nor /lab"), "\(error)")
            }
        }
        for path in ["/labs", "/api/lab", "/"] {
            let yaml = "database: \"sqlite::memory:\"\nresources:\n  item: { key: id, columns: { id: integer } }\nmounts:\n  - { path: \(path), dialect: native }\n"
            #expect(throws: Never.self, "\(path)") { try ConfigurationLoader.parse(yaml, file: "t.yaml") }
        }
    }

    @Test func mountsJSONDescribesTheDemosMounts() async throws {
        try await withDemoApp { api in
            let document = try #require(try await api.send(.get, "/lab/mounts.json").json)
            let mounts = try #require(document["mounts"]?.arrayValue)
            let paths = mounts.compactMap { $0["path"]?.stringValue }
            #expect(Set(paths) == Set(try DemoConfiguration.load().mounts.map(\.path)))
            #expect(paths == paths.sorted { $0.count > $1.count }, "longest first, as requests are matched")
            let native = try #require(mounts.first { $0["path"]?.stringValue == "/api" })
            #expect(native["dialect"] == .string("native") && native["authentication"] == .array([]))
            #expect(native["journal"] == .string("/api/_transactions") && native["signIn"] == nil)
            let customer = try #require(native["resources"]?.arrayValue?.first { $0["name"] == .string("customer") })
            #expect(customer["key"] == .array([.string("name")]) && customer["optimisticLocking"] == .string("optional"))
            #expect(customer["columns"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["name", "balance", "credit_limit"])
            let cascade = JSON.object([
                ("parent", .string("customer")), ("child", .string("purchase_order")), ("columns", .array([.string("customer_name")])),
                ("parentColumns", .array([.string("name")])), ("onDelete", .string("cascade")),
            ])
            #expect(native["relationships"]?.arrayValue?.contains(cascade) == true)
            #expect(native["relationships"]?.arrayValue?.count == 6)

            // A Live API mount names what it maps by its own names, and the rest by the resource's.
            let liveAPI = try #require(mounts.first { $0["path"]?.stringValue == "/rest/el-local/demo/v1" })
            #expect(liveAPI["dialect"] == .string("liveapi") && liveAPI["journal"] == .null)
            #expect(liveAPI["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["demo:customer", "demo:PurchaseOrder", "demo:LineItem"])
            let lineItems = try #require(liveAPI["relationships"]?.arrayValue?.first { $0["child"] == .string("demo:LineItem") && $0["onDelete"] == .string("cascade") })
            #expect(lineItems["parent"] == .string("demo:PurchaseOrder") && lineItems["parentColumns"] == .array([.string("order_id")]))
            #expect(liveAPI["keys"]?["product"] == .array([.string("id")]))
            let kinds = Dictionary(mounts.map { ($0["path"]?.stringValue ?? "", $0["dialect"]?.stringValue ?? "") }, uniquingKeysWith: { a, _ in a })
            #expect(kinds["/atservicesrest/v1.0"] == "autotask" && kinds["/rest"] == "buzz")
        }
    }

    @Test func mountsJSONSaysHowEachMountSignsIn() async throws {
        try await SecurityTests.withSecureApp { api in
            let reply = try await api.send(.get, "/lab/mounts.json")
            #expect(reply.status == .ok, "the Lab needs no credentials, as openapi.json without them")
            let mounts = try #require(reply.json?["mounts"]?.arrayValue)
            func mount(_ path: String) throws -> JSON { try #require(mounts.first { $0["path"]?.stringValue == path }) }
            #expect(try mount("/api")["authentication"] == .array([.string("apiKey"), .string("jwt")]))
            #expect(try mount("/rest/acme/sales/v1")["authentication"] == .array([.string("apiKey")]))
            #expect(try mount("/atservicesrest/v1.0")["authentication"] == .array([.string("apiUser")]))
            let buzz = try mount("/rest")
            #expect(buzz["authentication"] == .array([.string("session")]))
            #expect(buzz["signIn"] == .string("/rest/login") && buzz["signOut"] == .string("/rest/logout"))
            #expect(try mount("/rest/el-dev/demo/v1")["authentication"] == .array([]))
            #expect(!reply.text.contains("sha256") && !reply.text.contains("bcrypt") && !reply.text.contains("claims"), "no secret, no claim")
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIKit
import RestableApp
import RestableHTTP
import Testing

/// Every mount serves an OpenAPI 3.1 document at `{mount}/openapi.json`: it decodes, passes
/// OpenAPIKit's validation, names the routes and their parameters, and, with credentials, shows
/// only what the caller's roles allow. (scripts/fuzz-openapi checks them with
/// openapi-spec-validator and runs schemathesis against the native mount.)
@Suite struct OpenAPITests {
    static let mounts = [
        "/api", "/rest/el-local/demo/v1", "/rest/el-dev/demo/v1", "/APIServer/rest/el-local/demo/v1", "/rest/acme/sales/v1",
        "/atservicesrest/v1.0", "/rest",
    ]

    static func document(_ reply: Reply) throws -> OpenAPI.Document {
        try JSONDecoder().decode(OpenAPI.Document.self, from: Data(reply.text.utf8))
    }

    /// The methods served at each path of a document.
    static func routes(_ document: OpenAPI.Document) -> [String: Set<String>] {
        var routes: [String: Set<String>] = [:]
        for (path, item) in document.paths {
            guard let item = item.b else { continue }
            routes[path.rawValue] = Set(item.endpoints.map { $0.method.rawValue.uppercased() })
        }
        return routes
    }

    @Test func everyMountOfTheDemoServesAValidDocument() async throws {
        try await withDemoApp { api in
            for mount in Self.mounts {
                let reply = try await api.send(.get, mount + "/openapi.json")
                #expect(reply.status == .ok, "\(mount)")
                #expect(reply.contentType == "application/json")
                let document = try Self.document(reply)
                try document.validate()
                #expect(document.openAPIVersion == .v3_1_1)
                #expect(document.servers.first?.urlTemplate.rawValue == mount)
                #expect(!document.paths.isEmpty, "\(mount)")
            }
            let native = try Self.routes(try Self.document(try await api.send(.get, "/api/openapi.json")))
            #expect(native["/"] == ["GET", "POST"])
            #expect(native["/customer"] == ["GET", "POST", "DELETE"])
            #expect(native["/customer/{key}"] == ["GET", "PATCH", "DELETE"])
            let autotask = try Self.routes(try Self.document(try await api.send(.get, "/atservicesrest/v1.0/openapi.json")))
            #expect(autotask["/ContactGroups/{id}"] == ["GET", "DELETE"])
            #expect(autotask["/ContactGroups/{parentId}/Contacts/{id}"] == ["GET", "DELETE"])
            #expect(autotask["/ContactGroups/{parentId}/Contacts"] == ["GET", "POST"])
            #expect(autotask["/ContactGroups/query"] == ["GET", "POST"])
            #expect(autotask["/ContactGroups/query/count"] == ["GET", "POST"])
            #expect(autotask["/ContactGroups/query/next"] == ["GET"])
            #expect(autotask["/zoneInformation"] == ["GET"])
            let buzz = try Self.routes(try Self.document(try await api.send(.get, "/rest/openapi.json")))
            #expect(buzz["/advertiser"] == ["DELETE", "GET"])
            #expect(buzz["/advertiser/{id}"] == ["DELETE", "GET"])
            #expect(buzz["/login"] == nil, "the open demo has no sign-in")
            #expect(try await api.send(.delete, "/api/openapi.json").status == .methodNotAllowed)
            let query = try await api.send(.get, "/api/openapi.json?format=yaml")
            #expect(query.status == .badRequest)
            #expect(query.json?["detail"]?.stringValue?.contains("format") == true)
            #expect(try await api.send(.get, "/rest/openapi.json", body: "{}").status == .badRequest)
        }
    }

    @Test func theNativeDeleteNamesItsParametersHeadersAndErrors() async throws {
        try await withDemoApp { api in
            let document = try Self.document(try await api.send(.get, "/api/openapi.json"))
            let delete = try #require(document.paths["/customer/{key}"]?.b?.delete)
            let names = Set(delete.parameters.compactMap { $0.b?.name })
            #expect(names == ["key", "checksum", "ignoredeleted", "dryrun", "txsummary", "If-Match", "Prefer"])
            for status in [200, 204, 400, 404, 409, 412, 428, 503] {
                #expect(delete.responses[status: OpenAPI.Response.StatusCode(integerLiteral: status)] != nil, "\(status)")
            }
            let problem = delete.responses[status: 412]?.b?.content.keys.map(\.rawValue)
            #expect(problem == ["application/problem+json"])
            let many = try #require(document.paths["/customer"]?.b?.delete)
            let manyNames = Set(many.parameters.compactMap { $0.b?.name })
            #expect(manyNames.isSuperset(of: ["all", "name", "balance", "If-Match", "Prefer"]))
            #expect(many.requestBody?.b?.required == false)
        }
    }

    @Test func withCredentialsTheDocumentShowsOnlyWhatTheCallerMayDo() async throws {
        try await SecurityTests.withSecureApp { api in
            let everyone = try Self.document(try await api.send(.get, "/api/openapi.json"))
            #expect(Set(everyone.components.securitySchemes.keys.map(\.rawValue)) == ["apiKey", "bearer"])
            #expect(everyone.security.count == 2)
            #expect(Self.routes(everyone)["/customer/{key}"] == ["GET", "PATCH", "DELETE"])
            let reader = Self.routes(try Self.document(try await api.send(.get, "/api/openapi.json", headers: SecurityTests.key(SecurityTests.readerKey))))
            #expect(reader["/customer/{key}"] == ["GET"])
            #expect(reader["/"] == ["GET"], "no batch for a reader")
            let viewer = Self.routes(try Self.document(try await api.send(.get, "/api/openapi.json", headers: SecurityTests.key(SecurityTests.viewerKey))))
            #expect(viewer["/purchase_order/{key}"] == ["GET", "DELETE"])
            #expect(viewer["/customer/{key}"] == nil)
            let wrong = try await api.send(.get, "/api/openapi.json", headers: SecurityTests.key("not-a-key"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate] != nil)
            let autotask = try Self.document(try await api.send(.get, "/atservicesrest/v1.0/openapi.json"))
            #expect(autotask.security.first?.count == 3, "the three Autotask headers go together")
            let buzz = try Self.document(try await api.send(.get, "/rest/openapi.json"))
            #expect(Self.routes(buzz)["/login"] == ["POST"])
            #expect(buzz.paths["/login"]?.b?.post?.security?.isEmpty == true, "signing in needs no credential")
        }
    }
}

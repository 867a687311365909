import Hummingbird
import HummingbirdTesting
import Logging
import RestableApp
import RestableHTTP
import Testing

/// A mount with `names` serves exactly the mapped names, and builds hrefs from them.
@Suite struct MountNamesTests {
    @Test func mappedNamesAreServedAndUsedInHrefs() async throws {
        try await withApp(yaml: """
            database: "sqlite::memory:"
            resources:
              employee: { key: id, columns: { id: integer, name: text } }
              secret: { key: id, columns: { id: integer } }
            mounts:
              - { path: /api/, dialect: native, names: { staff: employee } }
              - { path: /all, dialect: native }
            seed:
              employee: [{ id: 1, name: Ada }]
            """) { api in
            let staff = try await api.send(.get, "/api/staff/1")
            #expect(staff.status == .ok)
            #expect(staff.json?["@metadata"]?["href"] == .string("/api/staff/1"))
            #expect(try await api.send(.get, "/api/employee/1").code == "unknownResource")
            #expect(try await api.send(.get, "/api/secret").code == "unknownResource")
            #expect(try await api.send(.get, "/api").json?["resources"]?.arrayValue?.count == 1)
            #expect(try await api.send(.get, "/all/employee/1").json?["@metadata"]?["href"] == .string("/all/employee/1"))
            let deleted = try await api.send(.delete, "/api/staff/1")
            #expect(deleted.json?["txsummary"]?[0]?["@metadata"]?["href"] == .string("/api/staff/1"))
        }
    }

    @Test func mountPathsThatDifferOnlyByATrailingSlashClash() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parse("""
                database: "sqlite::memory:"
                resources:
                  a: { key: id, columns: { id: integer } }
                mounts:
                  - { path: /api, dialect: native }
                  - { path: /api/, dialect: native }
                """, file: "m.yaml")
        }
        #expect(error?.message == "two mounts use the path '/api' (paths are compared ignoring case)")
        #expect(error?.line == 6)
    }
}

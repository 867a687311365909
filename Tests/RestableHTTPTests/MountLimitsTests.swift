import Hummingbird
import HummingbirdTesting
import RestableApp
import RestableHTTP
import Testing

/// The limits a mount sets for itself: the largest body, and how many keys one request may name.
/// A request over a limit is refused whole, in the mount's dialect, and changes nothing.
@Suite struct MountLimitsTests {
    static let yaml = """
        database: "sqlite::memory:"
        resources:
          item: { key: id, columns: { id: integer, label: text } }
        mounts:
          - { path: /small, dialect: native, maxBodySize: 64 }
          - { path: /keys, dialect: native, maxKeysPerRequest: 2 }
          - { path: /buzz, dialect: buzz, maxKeysPerRequest: 2 }
          - { path: /api, dialect: native }
        seed:
          item: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]
        """

    @Test func aBodyOverTheMountsMaximumIs413ThereAndAcceptedElsewhere() async throws {
        try await withApp(yaml: Self.yaml) { api in
            let label = String(repeating: "x", count: 100)
            let json: HTTPFields = [.contentType: "application/json"]
            let refused = try await api.send(.patch, "/small/item/1", headers: json, body: #"{"label": "\#(label)"}"#)
            #expect(refused.status == .contentTooLarge)
            #expect(refused.json?["detail"]?.stringValue == "the request body is larger than the maximum of 64 bytes")
            #expect(try await api.send(.get, "/api/item/1").json?["label"] == .null)
            let accepted = try await api.send(.patch, "/api/item/1", headers: json, body: #"{"label": "\#(label)"}"#)
            #expect(accepted.status == .ok)
        }
    }

    @Test func aRequestNamingMoreKeysThanTheMountAllowsChangesNothing() async throws {
        try await withApp(yaml: Self.yaml) { api in
            let json: HTTPFields = [.contentType: "application/json"]
            let body = try await api.send(.delete, "/keys/item", headers: json, body: "[1, 2, 3]")
            #expect(body.status == .badRequest)
            #expect(body.code == "planTooLarge")
            #expect(body.json?["detail"]?.stringValue?.hasPrefix("this request names more than 2 keys") == true)
            let query = try await api.send(.delete, "/keys/item?id=in.(1,2,3)")
            #expect(query.code == "planTooLarge")
            let batch = try await api.send(
                .post, "/keys", headers: json,
                body: #"[{"@metadata":{"action":"DELETE","href":"/keys/item/1"}},{"@metadata":{"action":"DELETE","href":"/keys/item/2"}},{"@metadata":{"action":"DELETE","href":"/keys/item/3"}}]"#)
            #expect(batch.code == "planTooLarge")
            let buzz = try await api.send(.delete, "/buzz/item", headers: json, body: #"{"id": [1, 2, 3]}"#)
            #expect(buzz.status == .notAcceptable || buzz.status == .badRequest)
            #expect(buzz.json?["status"]?.stringValue == "ERROR")
            #expect(try await api.send(.get, "/api/item").json?.arrayValue?.count == 4)
            // Within the limit, and on a mount with the default limit, the same deletes go through.
            #expect(try await api.send(.delete, "/keys/item", headers: json, body: "[1, 2]").status == .ok)
            #expect(try await api.send(.delete, "/api/item", headers: json, body: "[3, 4]").status == .ok)
            #expect(try await api.send(.get, "/api/item").json?.arrayValue?.count == 0)
        }
    }
}

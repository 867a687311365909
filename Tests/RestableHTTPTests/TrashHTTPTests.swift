import Foundation
import HTTPTypes
import Hummingbird
import RestableApp
import RestableCore
import RestableHTTP
import Testing

/// Soft delete over the native dialect, on the shop of `docs/examples/trash.yaml`: a DELETE
/// puts rows in the trash, `?show_deleted=true` shows them, `POST .../undelete` takes them
/// back, `?purge=true` removes them for good; every odd spelling is refused.
@Suite struct TrashHTTPTests {
    /// The example configuration the documentation walks through.
    static var yaml: String {
        get throws {
            let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("docs/examples/trash.yaml")
            return try String(contentsOf: file, encoding: .utf8)
        }
    }

    static func names(_ reply: Reply, _ column: String = "name") -> [String] {
        (reply.json?.arrayValue ?? []).compactMap { $0[column]?.stringValue }
    }

    @Test func aDeleteGoesToTheTrashAndAnUndeleteBringsItBack() async throws {
        try await withApp(yaml: try Self.yaml) { api in
            let index = try await api.send(.get, "/api/")
            #expect(index.json?["resources"]?.arrayValue?.first?["softDelete"] == .bool(true))
            let before = try await api.send(.get, "/api/line_item").text
            let checksum = try await api.checksum("/api/customer/Golf%20Industries")

            let deleted = try await api.send(.delete, "/api/customer/Golf%20Industries", headers: [.ifMatch: "\"\(checksum)\""])
            #expect(deleted.status == .ok, "\(deleted.text)")
            #expect(deleted.json?["txsummary"]?.arrayValue?.count == 6)
            #expect(deleted.headers[HTTPField.Name("Restable-Transaction")!] != nil)
            #expect(Self.names(try await api.send(.get, "/api/customer")) == ["Alpha and Sons"])
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .notFound)
            // The trash, shown on request: each row says whether it is deleted, and since when.
            let shown = try await api.send(.get, "/api/customer?show_deleted=true")
            let rows = try #require(shown.json?.arrayValue)
            #expect(rows.map { $0["@metadata"]?["deleted"] } == [.bool(false), .bool(true)])
            let deletedAt = try #require(rows[1]["@metadata"]?["deletedAt"]?.stringValue)
            #expect(Timestamp.canonical(deletedAt) == deletedAt)
            let one = try await api.send(.get, "/api/customer/Golf%20Industries?show_deleted=true")
            #expect(one.status == .ok && one.json?["@metadata"]?["deleted"] == .bool(true))
            #expect(one.headers[.eTag] == "\"\(checksum)\"")
            // The shipper's orders keep pointing at it; a line in the trash still holds its product.
            #expect(try await api.send(.get, "/api/line_item?show_deleted=true&order_id=1").json?.arrayValue?.count == 2)
            let product = try await api.send(.delete, "/api/product/101")
            #expect(product.status == .conflict && product.text.contains("in the trash: purge them first"), "\(product.text)")
            // The name stays taken until the row is purged.
            let taken = try await api.send(
                .post, "/api/customer", headers: [.contentType: "application/json"], body: #"{"name": "Golf Industries", "balance": 0}"#)
            #expect(taken.status == .conflict && taken.code == "duplicateKey" && taken.text.contains("in the trash"))

            let orphan = try await api.send(.post, "/api/purchase_order/1/undelete")
            #expect(orphan.status == .conflict && orphan.code == "invalidReference", "\(orphan.text)")
            let undelete = try await api.send(.post, "/api/customer/Golf%20Industries/undelete")
            #expect(undelete.status == .ok, "\(undelete.text)")
            #expect(undelete.json?["counts"]?["purchase_order"]?["INSERT"] == .number(2))
            #expect(undelete.json?["transaction"]?.stringValue != nil)
            #expect(try await api.send(.get, "/api/line_item").text == before)
            let live = try await api.send(.post, "/api/customer/Golf%20Industries/undelete")
            #expect(live.status == .conflict && live.code == "notInTrash")
        }
    }

    @Test func aPurgeRemovesOnlyWhatIsInTheTrash() async throws {
        try await withApp(yaml: try Self.yaml) { api in
            let live = try await api.send(.delete, "/api/customer/Alpha%20and%20Sons?purge=true")
            #expect(live.status == .conflict && live.code == "notInTrash", "\(live.text)")
            #expect(try await api.send(.delete, "/api/customer/Alpha%20and%20Sons").status == .ok)
            let dry = try await api.send(.delete, "/api/customer/Alpha%20and%20Sons?purge=true&dryrun=true")
            #expect(dry.status == .ok && dry.json?["dryRun"] == .bool(true))
            let purged = try await api.send(.delete, "/api/customer/Alpha%20and%20Sons?purge=true")
            #expect(purged.status == .ok, "\(purged.text)")
            #expect(purged.json?["txsummary"]?.arrayValue?.compactMap { $0["@metadata"]?["resource"]?.stringValue } == ["customer", "purchase_order", "line_item"])
            #expect(try await api.send(.get, "/api/customer/Alpha%20and%20Sons?show_deleted=true").status == .notFound)
            // A purge by filter takes the rows in the trash that match, and only those.
            #expect(try await api.send(.delete, "/api/purchase_order/2").status == .ok)
            let filtered = try await api.send(.delete, "/api/purchase_order?customer_name=Golf%20Industries&purge=true")
            #expect(filtered.status == .ok && filtered.json?["counts"]?["purchase_order"]?["DELETE"] == .number(1), "\(filtered.text)")
            #expect(try await api.send(.get, "/api/purchase_order/1").status == .ok)
            // Now the name is free again.
            let again = try await api.send(
                .post, "/api/customer", headers: [.contentType: "application/json"], body: #"{"name": "Alpha and Sons", "balance": 0}"#)
            #expect(again.status == .created, "\(again.text)")
        }
    }

    @Test func everyOddSpellingIsRefusedAndChangesNothing() async throws {
        try await withApp(yaml: try Self.yaml) { api in
            let before = try await api.send(.get, "/api/customer?show_deleted=true").text
            let refused: [(HTTPRequest.Method, String, HTTPResponse.Status, String)] = [
                (.delete, "/api/customer/Golf%20Industries?purge=yes", .badRequest, "invalidQuery"),
                (.delete, "/api/customer/Golf%20Industries?purge=on", .badRequest, "invalidQuery"),
                (.delete, "/api/customer/Golf%20Industries?purge=true&purge=false", .badRequest, "invalidQuery"),
                (.delete, "/api/customer/Golf%20Industries?purg=true", .badRequest, "invalidQuery"),
                (.get, "/api/customer?show_deleted=maybe", .badRequest, "invalidQuery"),
                (.get, "/api/customer?showDeleted=true", .badRequest, "unknownColumn"),
                (.get, "/api/product?show_deleted=true", .badRequest, "invalidQuery"),
                (.delete, "/api/product/101?purge=true", .badRequest, "invalidQuery"),
                (.post, "/api/customer/Golf%20Industries/undelete?purge=true", .badRequest, "invalidQuery"),
                (.post, "/api/product/101/undelete", .badRequest, "invalidQuery"),
                (.get, "/api/customer/Golf%20Industries/undelete", .methodNotAllowed, "methodNotAllowed"),
                (.delete, "/api/customer/Golf%20Industries/undelete", .methodNotAllowed, "methodNotAllowed"),
                (.post, "/api/customer/Golf%20Industries/restore", .notFound, "notFound"),
                (.post, "/api/customer/Nobody/undelete", .notFound, "notFound"),
                (.post, "/api/customer/Golf%20Industries/undelete", .conflict, "notInTrash"),
            ]
            for (method, path, status, code) in refused {
                let reply = try await api.send(method, path)
                #expect(reply.status == status && reply.code == code, "\(method) \(path): \(reply.status) \(reply.text)")
            }
            let withBody = try await api.send(
                .post, "/api/customer/Golf%20Industries/undelete", headers: [.contentType: "application/json"], body: "{}")
            #expect(withBody.status == .badRequest, "\(withBody.text)")
            let ifMatch = try await api.send(.post, "/api/customer/Golf%20Industries/undelete", headers: [.ifMatch: "*"])
            #expect(ifMatch.status == .badRequest && ifMatch.code == "invalidHeader", "\(ifMatch.text)")
            #expect(try await api.send(.get, "/api/customer?show_deleted=true").text == before)
        }
    }

    @Test func theVendorDialectsDeleteIntoTheTrashToo() async throws {
        let yaml = try Self.yaml + """

            mounts:
              - { path: /api, dialect: native }
              - { path: /rest/shop/v1, dialect: liveapi, names: { "shop:customer": customer } }
            """
        try await withApp(yaml: yaml) { api in
            let deleted = try await api.send(.delete, "/rest/shop/v1/shop:customer/Golf%20Industries?checksum=override")
            #expect(deleted.status == .ok, "\(deleted.text)")
            #expect(try await api.send(.get, "/rest/shop/v1/shop:customer/Golf%20Industries").status == .notFound)
            // Idempotent loads: a row in the trash is one that is gone.
            let again = try await api.send(.delete, "/rest/shop/v1/shop:customer/Golf%20Industries?checksum=override&ignoredeleted=true")
            #expect(again.status == .ok, "\(again.text)")
            #expect(try await api.send(.post, "/api/customer/Golf%20Industries/undelete").status == .ok)
        }
    }

    @Test func theAPIDescriptionNamesTheTrash() async throws {
        try await withApp(yaml: try Self.yaml) { api in
            let document = try await api.send(.get, "/api/openapi.json")
            #expect(document.status == .ok)
            let paths = try #require(document.json?["paths"])
            #expect(paths["/customer/{key}/undelete"]?["post"] != nil)
            #expect(paths["/product/{key}/undelete"] == nil)
            let parameters = paths["/customer"]?["get"]?["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(parameters.contains("show_deleted"))
            let deletes = paths["/customer/{key}"]?["delete"]?["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(deletes.contains("purge"))
            let productDeletes = paths["/product/{key}"]?["delete"]?["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(!productDeletes.contains("purge"))
        }
    }
}

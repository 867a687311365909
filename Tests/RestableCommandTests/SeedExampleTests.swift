import Foundation
import Testing

/// Every example of the three seed documents, run with real curl against a freshly started
/// demo, with the host replaced by 127.0.0.1 and the server's port. Each example gets a fresh
/// demo, as the seeds describe each one alone.
@Suite struct SeedExampleTests {
    /// Runs `body` against a demo server on an in-memory database.
    func withDemo(_ body: (LiveServer) async throws -> Void) async throws {
        try await withTemporaryDirectory { folder in
            let server = try LiveServer(["serve", "--port", "0", "--database", "sqlite::memory:", "--log-level", "warning"], in: folder)
            #expect(try await server.waitUntilListening(), "\(server.log)")
            defer { _ = server.stop() }
            try await body(server)
        }
    }

    // MARK: Autotask (autotask-delete.txt)

    @Test func autotaskDeleteContactGroup4() async throws {
        try await withDemo { server in
            let reply = try server.curl("DELETE", "/atservicesrest/v1.0/ContactGroups/4")
            #expect(reply.status == 200)
            #expect(reply.body == #"{"itemId":4}"#)
            #expect(try server.curl("GET", "/api/contact_group_contact?contact_group_id=4").body == "[]", "its members went by cascade")
        }
    }

    @Test func autotaskUnsuccessfulOperationsAnswerAnErrorsArray() async throws {
        try await withDemo { server in
            let duplicate = try server.curl(
                "POST", "/atservicesrest/v1.0/ContactGroups", headers: ["Content-Type: application/json"], body: #"{"name": "Test Group 1"}"#)
            #expect(duplicate.status == 500)
            #expect(duplicate.body.hasPrefix(#"{"errors":[""#))
            let missing = try server.curl("DELETE", "/atservicesrest/v1.0/ContactGroups/40")
            #expect(missing.status == 404)
            #expect(missing.body.hasPrefix(#"{"errors":[""#))
        }
    }

    // MARK: Live API Creator (liveapi-delete.txt)

    @Test func liveAPIDeleteByPrimaryKeyWithTheChecksum() async throws {
        try await withDemo { server in
            let base = "/APIServer/rest/el-local/demo/v1/demo:customer/New%20Customer"
            let seedChecksum = try server.curl("DELETE", base + "?checksum=A:beb6d7c43e6c398f")
            #expect(seedChecksum.status == 409, "the seed's checksum is not this row's: optimistic locking refuses it")
            let checksum = try #require(Self.checksum(in: try server.curl("GET", base).body))
            let reply = try server.curl("DELETE", base + "?checksum=\(checksum)")
            #expect(reply.status == 200)
            #expect(reply.body.hasPrefix(#"{"statusCode":200,"txsummary":[{"@metadata":{"href":"http://127.0.0.1:"#))
            #expect(reply.body.contains(#""resource":"demo:customer","verb":"DELETE","checksum":"\#(checksum)""#))
        }
    }

    @Test func liveAPIChecksumOverride() async throws {
        try await withDemo { server in
            let reply = try server.curl("DELETE", "/APIServer/rest/el-local/demo/v1/demo:customer/New%20Customer?checksum=override")
            #expect(reply.status == 200)
            let again = try server.curl("DELETE", "/APIServer/rest/el-local/demo/v1/demo:customer/New%20Customer?checksum=override")
            #expect(again.status == 404)
            #expect(again.body.contains("No such object"))
        }
    }

    @Test func liveAPICurlFailWithIgnoredeletedExitsZeroWhetherOrNotTheObjectExists() async throws {
        try await withDemo { server in
            let url = "/rest/el-dev/demo/v1/demo:customer/Golf%20Industries?checksum=override&ignoredeleted"
            let deletes = try server.curlExitCode(["--fail", "-X", "DELETE"], url)
            #expect(deletes == 0, "it deletes")
            let alreadyGone = try server.curlExitCode(["--fail", "-X", "DELETE"], url)
            #expect(alreadyGone == 0, "it is already gone")
            let noChecksum = try server.curlExitCode(["--fail", "-X", "DELETE"], "/rest/el-dev/demo/v1/demo:customer/Alpha%20and%20Sons")
            #expect(noChecksum == 22)
            let restricted = try server.curlExitCode(["--fail", "-X", "DELETE"], "/rest/acme/sales/v1/inv:product/102?checksum=override")
            #expect(restricted == 22, "a restrict is an error")
        }
    }

    @Test func liveAPIDeleteInBatch() async throws {
        try await withDemo { server in
            let c103 = try #require(Self.checksum(in: try server.curl("GET", "/rest/acme/sales/v1/inv:product/103").body))
            let c104 = try #require(Self.checksum(in: try server.curl("GET", "/rest/acme/sales/v1/inv:product/104").body))
            let body = """
                [
                  {
                    "@metadata": {
                      "href": "https://my.acme.com/rest/acme/sales/v1/inv:product/103",
                      "checksum": "\(c103)",
                      "action":"DELETE"
                    }
                  },
                  {
                    "@metadata": {
                      "href": "https://my.acme.com/rest/acme/sales/v1/inv:product/104",
                      "checksum": "\(c104)",
                      "action":"DELETE"
                    }
                  }
                ]
                """
            let reply = try server.curl("PUT", "/rest/acme/sales/v1/inv:product", headers: ["Content-Type: application/json"], body: body)
            #expect(reply.status == 200)
            #expect(reply.body.components(separatedBy: #""verb":"DELETE""#).count == 3)
            #expect(try server.curl("GET", "/rest/acme/sales/v1/inv:product/103").status == 404)
            #expect(try server.curl("GET", "/rest/acme/sales/v1/inv:product/104").status == 404)
        }
    }

    // MARK: Buzz (buzz-delete.txt)

    @Test func buzzKeyMustBeProvided() async throws {
        try await withDemo { server in
            let reply = try server.curl("DELETE", "/rest/advertiser", cookies: true, body: #"{"advertiser_name":"new name"}"#)
            #expect(reply.status == 400)
            #expect(reply.body.contains("advertiser_id must be provided"))
        }
    }

    @Test func buzzDeleteOneAdvertiser() async throws {
        try await withDemo { server in
            let reply = try server.curl("DELETE", "/rest/advertiser", cookies: true, body: #"{"advertiser_id":1}"#)
            #expect(reply.status == 200)
            #expect(reply.body.contains(#""status":"SUCCESS","message":"advertiser_id 1 is deleted""#))
        }
    }

    @Test func buzzDeleteTwoAdvertisers() async throws {
        try await withDemo { server in
            let reply = try server.curl("DELETE", "/rest/advertiser", cookies: true, body: #"{"advertiser_id":[1,2]}"#)
            #expect(reply.status == 200)
            #expect(reply.body.contains(#""message":"advertiser_id 1 and 2 are deleted""#))
        }
    }

    @Test func buzzIdInThePathIsTheSameAsInTheBody() async throws {
        try await withDemo { server in
            let path = try server.curl("DELETE", "/rest/user/1", cookies: true)
            #expect(path.status == 200)
            #expect(path.body.contains(#""deleted":[1]"#))
        }
        try await withDemo { server in
            let body = try server.curl("DELETE", "/rest/user", cookies: true, body: #"{"user_id":1}"#)
            #expect(body.status == 200)
            #expect(body.body.contains(#""deleted":[1]"#))
        }
    }

    @Test func buzzDeleteAListOfUsers() async throws {
        try await withDemo { server in
            let reply = try server.curl("DELETE", "/rest/user", cookies: true, body: #"{"user_id":[1,2,3]}"#)
            #expect(reply.status == 200)
            #expect(reply.body.contains(#""deleted":[1,2,3]"#))
        }
    }

    @Test func buzzAllPartialNoneAndStrict() async throws {
        try await withDemo { server in
            let partial = try server.curl("DELETE", "/rest/advertiser", body: #"{"advertiser_id":[3,5]}"#)
            #expect(partial.status == 200)
            #expect(partial.body.contains(#""status":"WARNING""#))
            #expect(partial.body.contains("campaigns (1, 2)"), "the refusal names the campaigns")
            let strict = try server.curl("DELETE", "/rest/advertiser?strict=true", body: #"{"advertiser_id":[2,4]}"#)
            #expect(strict.status == 406)
            #expect(strict.body.contains(#""deleted":[]"#))
            #expect(try server.curl("DELETE", "/rest/advertiser", body: #"{"advertiser_id":[2], "strict": true}"#).status == 200, "2 was kept")
            let none = try server.curl("DELETE", "/rest/advertiser", body: #"{"advertiser_id":[3,4]}"#)
            #expect(none.status == 406)
            #expect(none.body.contains(#""status":"ERROR""#))
            #expect(try server.curl("DELETE", "/rest/advertiser", body: #"{"advertiser_id":[98,99]}"#).status == 404)
        }
    }

    static func checksum(in body: String) -> String? {
        guard let range = body.range(of: #""checksum":""#) else { return nil }
        return String(body[range.upperBound...].prefix { $0 != "\"" })
    }
}

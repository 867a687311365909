import RestableCore
import HTTPTypes
import Hummingbird
import RestableHTTP
import Testing

/// Requests a hostile or careless client sends, in every dialect: each is refused with a 400
/// that names what could not be read or applied, or is applied exactly; none changes data it
/// should not (issue 8's classes: dry runs that commit, typos that widen, skipped lock checks,
/// unbounded work).
@Suite struct HostileInputTests {
    let json: HTTPFields = [.contentType: "application/json"]
    static let prefer = HTTPField.Name("Prefer")!

    func count(_ api: DemoClient, _ path: String) async throws -> Int {
        try #require(try await api.send(.get, path).json?.arrayValue).count
    }

    @Test(arguments: ["tx = rollback", "tx=\"rollback\"", "TX=Rollback", " , tx=rollback ,", "handling=strict, tx =  rollback"])
    func everyRFC7240SpellingOfADryRunRollsBack(prefer: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/customer/Golf%20Industries", headers: [Self.prefer: prefer])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json?["dryRun"] == .bool(true))
            #expect(reply.headers[HTTPField.Name("Preference-Applied")!]?.contains("tx=rollback") == true)
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test func maxAffectedWithSpacesStillGuards() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/contact_group?id=lte.3", headers: [Self.prefer: "max-affected = 1"])
            #expect(reply.status == .badRequest)
            #expect(reply.code == "tooManyAffected")
            #expect(try await count(api, "/api/contact_group") == 6)
        }
    }

    @Test(arguments: [
        ("tx=rolback", "tx must be commit or rollback"),
        ("max-affected=-1", "max-affected must be a whole number"),
        ("max-affected=1e3", "max-affected must be a whole number"),
        ("respond-async=true", "respond-async must be given without a value"),
        ("wait=10", "'wait' is not supported"),
        ("tx=rollback; strict", "takes no parameters"),
        ("tx=rollback, tx=commit", "given twice with different values"),
        ("tx=", "is malformed"),
        ("=rollback", "is malformed"),
        ("tx=\"rollback", "is malformed"),
    ])
    func aPreferenceThatCannotBeAppliedIsRefused(prefer: String, message: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/customer/Golf%20Industries", headers: [Self.prefer: prefer])
            #expect(reply.status == .badRequest)
            #expect(reply.code == "invalidHeader")
            #expect(reply.json?["detail"]?.stringValue?.contains(message) == true, "\(reply.text)")
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test func aPreferenceARouteDoesNotActOnIsRefused() async throws {
        try await withDemoApp { api in
            let create = try await api.send(
                .post, "/api/contact_group", headers: [.contentType: "application/json", Self.prefer: "tx=rollback"],
                body: #"{"name": "Temp"}"#)
            #expect(create.status == .badRequest, "a create cannot roll back, so it must not pretend to")
            #expect(try await count(api, "/api/contact_group") == 6)
            let batch = try await api.send(.post, "/api", headers: [.contentType: "application/json", Self.prefer: "max-affected=1"], body: "[]")
            #expect(batch.status == .badRequest)
        }
    }

    @Test(arguments: ["/api/contact_group_contact?all=ture", "/api/contact_group_contact?all=", "/api/contact_group_contact?all=yes",
                      "/api/contact_group_contact?all=true&all=false", "/api/contact_group_contact?all=true&id=gt.0",
                      "/api/contact_group_contact?dryrun=maybe&all=true", "/api/contact_group_contact?ignoredeleted=2&id=in.(1)"])
    func aTypoNeverWidensADelete(uri: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, uri)
            #expect(reply.status == .badRequest, "\(uri): \(reply.text)")
            #expect(reply.code == "invalidQuery")
            #expect(try await count(api, "/api/contact_group_contact") == 3)
        }
    }

    @Test func optionsThatDoNotApplyAreRefused() async throws {
        try await withDemoApp { api in
            let requests: [(HTTPRequest.Method, String)] = [
                (.get, "/api/customer?dryrun"), (.get, "/api/customer?all=true"), (.get, "/api/customer/Golf%20Industries?checksum=x"),
                (.delete, "/api/customer/Golf%20Industries?limit=1"), (.delete, "/api/customer/Golf%20Industries?nmae=x"),
                (.get, "/api/customer?limit=+1"), (.get, "/api/customer?name=%ZZ"),
            ]
            for (method, uri) in requests {
                let reply = try await api.send(method, uri)
                #expect(reply.code == "invalidQuery", "\(method) \(uri): \(reply.text)")
            }
            let typo = try await api.send(.delete, "/api/customer/Golf%20Industries?nmae=x")
            #expect(typo.json?["detail"] == .string(
                "query parameter 'nmae' is not understood in a DELETE of one row (accepted: checksum, dryrun, ignoredeleted, purge, txsummary)"))
            #expect(try await count(api, "/api/customer") == 4)
        }
    }

    @Test(arguments: [#"["A:0000000000000000"]"#, "5", "null", "true", #"{"v": 1}"#, #""""#])
    func aChecksumThatIsNotAStringIsRefused(checksum: String) async throws {
        try await withDemoApp { api in
            let body = #"[{"name": "Golf Industries", "@metadata": {"checksum": \#(checksum)}}]"#
            let reply = try await api.send(.delete, "/api/customer", headers: json, body: body)
            #expect(reply.status == .badRequest, "\(reply.text)")
            #expect(reply.code == "invalidBody")
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test func aRequestLevelIfMatchAppliesToKeysInTheBody() async throws {
        try await withDemoApp { api in
            let stale: HTTPFields = [.contentType: "application/json", .ifMatch: #""A:0000000000000000""#]
            let reply = try await api.send(.delete, "/api/customer", headers: stale, body: #"["Golf Industries"]"#)
            #expect(reply.status == .conflict)
            #expect(reply.json?["errors"]?[0]?["code"] == .string("checksumMismatch"))
            let both = try await api.send(
                .delete, "/api/customer", headers: stale,
                body: #"[{"name": "Golf Industries", "@metadata": {"checksum": "A:0000000000000000"}}]"#)
            #expect(both.code == "invalidBody")
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test func aBodyOnARowDeleteIsRefusedNotIgnored() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(
                .delete, "/api/customer/Golf%20Industries", headers: json, body: #"{"@metadata": {"checksum": "A:0000000000000000"}}"#)
            #expect(reply.code == "invalidBody")
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test(arguments: ["A:0000000000000000", #""A:1", "A:1""#, #"W/"A:1", *"#, "\"\"\"", "W/A"])
    func malformedIfMatchIsRefused(header: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/customer/Golf%20Industries", headers: [.ifMatch: header])
            #expect(reply.status == .badRequest)
            #expect(reply.code == "invalidHeader")
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test func aPreconditionGivenTwiceIsRefused() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/customer/Golf%20Industries?checksum=override", headers: [.ifMatch: #""A:1""#])
            #expect(reply.code == "invalidQuery")
        }
    }

    @Test func contentTypesAreParsed() async throws {
        try await withDemoApp { api in
            let jsonish = try await api.send(.delete, "/api/user", headers: [.contentType: "application/jsonfoo"], body: "[4]")
            #expect(jsonish.status == .unsupportedMediaType)
            let charset = try await api.send(.delete, "/api/user", headers: [.contentType: "application/json; charset=latin1"], body: "[4]")
            #expect(charset.status == .unsupportedMediaType)
            let fine = try await api.send(.delete, "/api/user", headers: [.contentType: "Application/JSON ; charset=\"UTF-8\""], body: "[4]")
            #expect(fine.status == .ok, "\(fine.text)")
        }
    }

    @Test func tooManyFiltersAre400NotADatabaseError() async throws {
        try await withDemoApp { api in
            let filters = (0..<1_000).map { "balance=gt.\($0)" }.joined(separator: "&")
            let reply = try await api.send(.delete, "/api/customer?" + filters)
            #expect(reply.status == .badRequest)
            #expect(reply.code == "invalidFilter")
        }
    }

    @Test func hugeLimitsAndOffsetsDoNotTrap() async throws {
        try await withDemoApp { api in
            let names = (0..<40_000).map { "n\($0)" }.joined(separator: ",")
            let big = try await api.send(
                .get, "/api/customer?limit=1000&offset=9223372036854775807&name=in.(\(names))&balance=in.(\(names))")
            #expect(big.status == .badRequest, "more than 10,000 filter values besides the longest list")
            #expect(big.code == "invalidFilter")
            let long = try await api.send(.get, "/api/customer?limit=1&offset=9223372036854775807&name=in.(\(names))")
            #expect(long.status == .ok, "one long list is split into chunks: \(long.text)")
            let reply = try await api.send(.get, "/api/customer?limit=1000&offset=9223372036854775806")
            #expect(reply.status == .ok)
            #expect(reply.json == .array([]))
            let huge = try await api.send(.get, "/api/customer?limit=9223372036854775807")
            #expect(huge.code == "invalidQuery", "a page holds at most 1,000 rows")
            let overflow = try await api.send(.get, "/api/customer?limit=9223372036854775808")
            #expect(overflow.code == "invalidQuery")
        }
    }

    @Test func aMillionMissingKeysMakeABoundedAnswer() async throws {
        try await withDemoApp { api in
            let body = "[" + (1_000_000..<1_200_000).map(String.init).joined(separator: ",") + "]"
            let reply = try await api.send(.delete, "/api/user", headers: json, body: body)
            #expect(reply.status == .notFound)
            #expect(reply.json?["errors"]?.arrayValue?.count == 1_000)
            #expect(reply.json?["errorCount"] == .integer(200_000))
            #expect(reply.json?["errorsTruncated"] == .bool(true))
            #expect(reply.text.utf8.count < 200_000)
        }
    }

    @Test func repeatedMemberNamesAreRefused() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/rest/advertiser", headers: json, body: #"{"advertiser_id": 1, "advertiser_id": 3}"#)
            #expect(reply.status == .badRequest)
            #expect(reply.json?["payload"]?["error"] == .string("invalidBody"))
        }
    }

    // MARK: vendor dialects

    @Test func liveAPIDryRunRollsBackAndUnknownParametersAreRefused() async throws {
        try await withDemoApp { api in
            let base = "/rest/el-local/demo/v1/demo:customer/Golf%20Industries"
            let dry = try await api.send(.delete, base + "?checksum=override&dryrun")
            #expect(dry.status == .ok)
            #expect(dry.json?["dryRun"] == .bool(true))
            #expect(dry.json?["txsummary"]?.arrayValue?.isEmpty == false)
            #expect(try await api.send(.get, base).status == .ok)
            let typo = try await api.send(.delete, base + "?checksum=override&ignoredelted")
            #expect(typo.status == .badRequest)
            #expect(typo.json?["errorCode"] == .string("invalidQuery"))
            let prefer = try await api.send(.delete, base + "?checksum=override", headers: [Self.prefer: "tx=rollback"])
            #expect(prefer.status == .badRequest)
            #expect(try await api.send(.get, base).status == .ok)
        }
    }

    @Test(arguments: [#"{"@metadata": {"action": 5, "checksum": "override"}, "name": "Golf Industries"}"#,
                      #"{"@metadata": {"action": "DELETE", "checksum": ["override"]}, "name": "Golf Industries"}"#,
                      #"{"@metadata": {"action": "DELETE", "checksum": "override", "href": 7}, "name": "Golf Industries"}"#,
                      #"{"@metadata": "DELETE", "name": "Golf Industries"}"#])
    func liveAPIBatchMembersOfTheWrongKindAreRefused(object: String) async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.put, "/rest/el-local/demo/v1/demo:customer", headers: json, body: "[\(object)]")
            #expect(reply.status == .badRequest, "\(reply.text)")
            #expect(reply.json?["errorCode"] == .string("invalidBody"))
            #expect(try await api.send(.get, "/api/customer/Golf%20Industries").status == .ok)
        }
    }

    @Test func buzzStrictMustBeABooleanAndDryRunRollsBack() async throws {
        try await withDemoApp { api in
            let text = try await api.send(.delete, "/rest/advertiser", headers: json, body: #"{"advertiser_id": [1, 3], "strict": "true"}"#)
            #expect(text.status == .badRequest)
            #expect(text.json?["payload"]?["error"] == .string("invalidBody"))
            let typo = try await api.send(.delete, "/rest/advertiser?strict=ture", headers: json, body: #"{"advertiser_id": [1, 3]}"#)
            #expect(typo.status == .badRequest)
            let disagree = try await api.send(.delete, "/rest/advertiser?strict=false", headers: json, body: #"{"advertiser_id": [1], "strict": true}"#)
            #expect(disagree.status == .badRequest)
            let dry = try await api.send(.delete, "/rest/advertiser?dryrun", headers: json, body: #"{"advertiser_id": [1]}"#)
            #expect(dry.status == .ok)
            #expect(dry.json?["payload"]?["dryRun"] == .bool(true))
            #expect(try await count(api, "/api/advertiser") == 5)
            let both = try await api.send(.delete, "/rest/advertiser/1", headers: json, body: #"{"advertiser_id": 3}"#)
            #expect(both.status == .badRequest)
        }
    }

    @Test func autotaskReadsNoQueryAndNoBodyOnADelete() async throws {
        try await withDemoApp { api in
            let query = try await api.send(.delete, "/atservicesrest/v1.0/ContactGroups/4?dryrun")
            #expect(query.status == .badRequest)
            #expect(query.json?["errors"]?.arrayValue?.count == 1)
            let body = try await api.send(.delete, "/atservicesrest/v1.0/ContactGroups/4", headers: json, body: #"{"id": 5}"#)
            #expect(body.status == .badRequest)
            #expect(try await count(api, "/api/contact_group") == 6)
        }
    }
}

extension HostileInputTests {
    /// A number comes back as it was sent, or is refused: nothing is rounded on its way. A
    /// decimal keeps every digit; an integer column refuses a fraction.
    @Test func numbersComeBackAsTheyWereSent() async throws {
        try await withDemoApp { api in
            let exact = try await api.send(
                .post, "/api/customer", headers: json,
                body: #"{"name": "Exact", "balance": 12.345678901234567890, "credit_limit": 123456789012345678901234567890}"#)
            #expect(exact.status == .created, "\(exact.text)")
            #expect(exact.text.contains(#""balance":12.34567890123456789,"credit_limit":123456789012345678901234567890"#))
            let fine = try await api.send(.post, "/api/customer", headers: json, body: #"{"name": "Fine", "balance": 0.1, "credit_limit": 1e3}"#)
            #expect(fine.status == .created)
            #expect(fine.json?["balance"] == .number(0.1))
            #expect(fine.text.contains(#""balance":0.1,"credit_limit":1000"#))
            let fraction = try await api.send(
                .post, "/api/purchase_order", headers: json, body: #"{"order_id": 1.5, "customer_name": "Fine"}"#)
            #expect(fraction.status == .badRequest)
        }
    }
}

extension HostileInputTests {
    /// A proxy's scheme becomes part of every href the Live API mount returns: only http or https.
    @Test func liveAPIReadsOnlyHTTPOrHTTPSAsTheForwardedScheme() async throws {
        try await withDemoApp { api in
            let path = "/rest/el-local/demo/v1/demo:customer/Golf%20Industries"
            let proto = HTTPField.Name("X-Forwarded-Proto")!
            let secure = try await api.send(.get, path, headers: [proto: "HTTPS"])
            #expect(secure.json?["@metadata"]?["href"]?.stringValue?.hasPrefix("https://") == true, "\(secure.text)")
            let odd = try await api.send(.get, path, headers: [proto: "javascript"])
            #expect(odd.status == .badRequest)
            #expect(odd.json?["errorCode"] == .string("invalidHeader"))
        }
    }
}

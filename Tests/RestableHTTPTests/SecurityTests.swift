import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RestableApp
import RestableAuth
import RestableCore
import RestableHTTP
import RestableTestSupport
import Testing

/// Who may delete what, through every dialect: missing and bad credentials (401 with
/// `WWW-Authenticate`, in the dialect's own format), a role without the action (403 whether or
/// not the row exists), a row a policy keeps (403 naming it), a row a read policy hides (404),
/// a budget exceeded (429), and the allowed case.
@Suite struct SecurityTests {
    static let clerkKey = "clerk-key-0123456789"
    static let readerKey = "reader-key-0123456789"
    static let viewerKey = "viewer-key-0123456789"
    static let tinyKey = "tiny-key-0123456789"
    static let password = "correct horse battery"
    static let passwordHash = PasswordCheck.hash(password, cost: 10)
    static let jwtSecret = "a-test-secret-of-thirty-two-bytes-or-more"

    /// The bundled demo, locked down: native with API keys and JWT, one Live API mount with
    /// API keys, Autotask with API users, Buzz with sign-in; the other mounts stay open on loopback.
    static func yaml(secretFile: String) -> String {
        var text = DemoConfiguration.yaml
        text = text.replacingOccurrences(of: "  - { path: /api, dialect: native }", with: "  - { path: /api, dialect: native, authentication: [apiKey, jwt], rateLimit: 0 }")
        text = text.replacingOccurrences(
            of: "  - { path: /rest/acme/sales/v1, dialect: liveapi, names: { \"inv:product\": product } }",
            with: "  - { path: /rest/acme/sales/v1, dialect: liveapi, names: { \"inv:product\": product, \"demo:customer\": customer }, authentication: [apiKey] }")
        text = text.replacingOccurrences(
            of: "names: { ContactGroups: contact_group, Contacts: contact_group_contact } }",
            with: "names: { ContactGroups: contact_group, Contacts: contact_group_contact }, authentication: [apiUser] }")
        text = text.replacingOccurrences(
            of: "names: { advertiser: advertiser, campaign: campaign, user: user } }",
            with: "names: { advertiser: advertiser, campaign: campaign, user: user }, authentication: [session] }")
        let everything = "[read, insert, update, delete, cascade]"
        text = text.replacingOccurrences(of: "\nseed:", with: """

            security:
              roles:
                reader:
                  grants: { "*": [read] }
                clerk:
                  grants: { "*": \(everything) }
                  policies:
                    own-orders: { resource: purchase_order, actions: [delete], where: { customer_name: { claim: customer } } }
                viewer:
                  grants: { purchase_order: [read, delete, cascade], line_item: [read, delete] }
                  policies:
                    sees-own: { resource: purchase_order, actions: [read, delete], where: { customer_name: { claim: customer } } }
                tiny:
                  grants: { "*": \(everything) }
                  maxRowsPerRequest: 1
              apiKeys:
                clerk:
                  sha256: \(SecretDigest.hex(of: clerkKey))
                  roles: [clerk]
                  claims: { customer: Golf Industries }
                  userName: clerk@example.com
                  integrationCode: CODE1
                reader:
                  sha256: \(SecretDigest.hex(of: readerKey))
                  roles: [reader]
                  userName: reader@example.com
                  integrationCode: CODE2
                viewer: { sha256: \(SecretDigest.hex(of: viewerKey)), roles: [viewer], claims: { customer: Golf Industries } }
                tiny: { sha256: \(SecretDigest.hex(of: tinyKey)), roles: [tiny] }
              users:
                alice: { bcrypt: "\(passwordHash)", roles: [clerk] }
                rita: { bcrypt: "\(passwordHash)", roles: [reader] }
              jwt:
                issuer: https://id.example.com
                audience: restable
                keys: [{ algorithm: HS256, secretFile: \(secretFile) }]
            seed:
            """)
        return text
    }

    static func withSecureApp(_ body: @escaping @Sendable (DemoClient) async throws -> Void) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("restable-jwt-\(UUID().uuidString)").path
        try Data(jwtSecret.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await withApp(yaml: yaml(secretFile: file), body)
    }

    static func key(_ key: String) -> HTTPFields { [HTTPField.Name("X-API-Key")!: key] }

    /// An HS256 token, signed as an identity provider would.
    static func token(_ claims: [String: Any], secret: String = jwtSecret) -> String {
        func encode(_ object: Any) -> String {
            let data = try! JSONSerialization.data(withJSONObject: object)
            return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let input = encode(["alg": "HS256", "typ": "JWT"]) + "." + encode(claims)
        let signature = HMACSignature.sha256(input, key: secret)
        return input + "." + signature
    }

    static func claims(exp: TimeInterval = 600, aud: String = "restable") -> [String: Any] {
        ["iss": "https://id.example.com", "aud": aud, "sub": "bob", "exp": Int(Date().timeIntervalSince1970 + exp), "roles": ["clerk"],
         "customer": "Alpha and Sons"]
    }

    @Test func nativeMountAnswersEveryCaseOfTheTable() async throws {
        try await Self.withSecureApp { client in
            let missing = try await client.send(.delete, "/api/customer/New%20Customer")
            #expect(missing.status == .unauthorized)
            #expect(missing.code == "unauthenticated")
            #expect(missing.headers[.wwwAuthenticate] == "ApiKey realm=\"/api\", header=\"X-API-Key\", Bearer realm=\"/api\"")
            let wrong = try await client.send(.delete, "/api/customer/New%20Customer", headers: Self.key("nope"))
            #expect(wrong.status == .unauthorized)
            #expect(!wrong.text.contains("nope"))
            for name in ["New%20Customer", "No%20Such%20Customer"] {
                let forbidden = try await client.send(.delete, "/api/customer/\(name)", headers: Self.key(Self.readerKey))
                #expect(forbidden.status == .forbidden)
                #expect(forbidden.json?["detail"]?.stringValue == "apikey:reader (role reader) may not delete from customer")
            }
            let policy = try await client.send(.delete, "/api/purchase_order/3", headers: Self.key(Self.clerkKey))
            #expect(policy.status == .forbidden)
            #expect(policy.json?["detail"]?.stringValue?.contains("policy 'own-orders' of role clerk") == true)
            let hidden = try await client.send(.delete, "/api/purchase_order/3", headers: Self.key(Self.viewerKey))
            #expect(hidden.status == .notFound)
            let list = try await client.send(.get, "/api/purchase_order", headers: Self.key(Self.viewerKey))
            #expect(list.json?.arrayValue?.count == 2)
            let budget = try await client.send(.delete, "/api/purchase_order/1", headers: Self.key(Self.tinyKey))
            #expect(budget.status == .tooManyRequests)
            #expect(budget.code == "overBudget")
            let allowed = try await client.send(.delete, "/api/purchase_order/1", headers: Self.key(Self.clerkKey))
            #expect(allowed.status == .ok)
            #expect(allowed.json?["txsummary"]?.arrayValue?.count == 3)
            #expect(try await client.send(.get, "/api/purchase_order", headers: Self.key(Self.readerKey)).json?.arrayValue?.count == 2)
        }
    }

    @Test func bearerTokensAreCheckedAndRefusalsSayInvalidToken() async throws {
        try await Self.withSecureApp { client in
            func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }
            let good = try await client.send(.delete, "/api/purchase_order/3", headers: bearer(Self.token(Self.claims())))
            #expect(good.status == .ok)
            for token in [Self.token(Self.claims(exp: -300)), Self.token(Self.claims(aud: "other")), Self.token(Self.claims(), secret: "x-wrong-secret-that-is-long-enough-too")] {
                let refused = try await client.send(.get, "/api/customer", headers: bearer(token))
                #expect(refused.status == .unauthorized)
                #expect(refused.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)
                #expect(!refused.text.contains(token))
            }
        }
    }

    @Test func aRequestSendsOneCredentialInOneForm() async throws {
        try await Self.withSecureApp { client in
            var both = Self.key(Self.clerkKey)
            both[.authorization] = "Bearer \(Self.token(Self.claims()))"
            #expect(try await client.send(.get, "/api/customer", headers: both).status == .badRequest)
            var twice = Self.key(Self.clerkKey)
            twice.append(HTTPField(name: HTTPField.Name("X-API-Key")!, value: Self.clerkKey))
            #expect(try await client.send(.get, "/api/customer", headers: twice).status == .badRequest)
            for field in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Bearer \u{7F}x"] {
                let reply = try await client.send(.get, "/api/customer", headers: [.authorization: field])
                #expect(reply.status == .unauthorized, "\(field)")
            }
            let traced = try await client.send(.get, "/api/customer", headers: [HTTPField.Name("X-Request-Id")!: "job-42.a_b", HTTPField.Name("X-API-Key")!: Self.readerKey])
            #expect(traced.headers[HTTPField.Name("X-Request-Id")!] == "job-42.a_b")
            let odd = try await client.send(.get, "/api/customer", headers: [HTTPField.Name("X-Request-Id")!: "not ok\u{1}"])
            #expect(odd.headers[HTTPField.Name("X-Request-Id")!]?.count == 36)
        }
    }

    @Test func liveAPIMountTakesItsOwnAuthorizationHeader() async throws {
        try await Self.withSecureApp { client in
            let path = "/rest/acme/sales/v1/demo:customer/New%20Customer?checksum=override"
            let missing = try await client.send(.delete, path)
            #expect(missing.status == .unauthorized)
            #expect(missing.json?["statusCode"]?.integerValue == 401)
            #expect(missing.headers[.wwwAuthenticate] == "CALiveAPICreator realm=\"/rest/acme/sales/v1\"")
            let xKey = try await client.send(.delete, path, headers: Self.key(Self.clerkKey))
            #expect(xKey.status == .unauthorized)
            let reader = try await client.send(.delete, path, headers: [.authorization: "CALiveAPICreator \(Self.readerKey):1"])
            #expect(reader.status == .forbidden)
            #expect(reader.json?["errorCode"]?.stringValue == "forbidden")
            let clerk = try await client.send(.delete, path, headers: [.authorization: "CALiveAPICreator \(Self.clerkKey):1"])
            #expect(clerk.status == .ok)
            // The other Live API mounts of the demo stay open on loopback.
            #expect(try await client.send(.get, "/rest/el-local/demo/v1/demo:customer").status == .ok)
        }
    }

    @Test func autotaskMountTakesItsThreeHeaders() async throws {
        try await Self.withSecureApp { client in
            func user(_ name: String, _ secret: String, _ code: String) -> HTTPFields {
                [HTTPField.Name("ApiIntegrationCode")!: code, HTTPField.Name("UserName")!: name, HTTPField.Name("Secret")!: secret]
            }
            let path = "/atservicesrest/v1.0/ContactGroups/4"
            let missing = try await client.send(.delete, path)
            #expect(missing.status == .unauthorized)
            #expect(missing.json?["errors"]?.arrayValue?.count == 1)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("AutotaskApiUser") == true)
            #expect(try await client.send(.delete, path, headers: user("clerk@example.com", Self.clerkKey, "WRONG")).status == .unauthorized)
            #expect(try await client.send(.delete, path, headers: user("reader@example.com", Self.clerkKey, "CODE1")).status == .unauthorized)
            var partial = user("clerk@example.com", Self.clerkKey, "CODE1")
            partial[HTTPField.Name("Secret")!] = nil
            #expect(try await client.send(.delete, path, headers: partial).status == .unauthorized)
            #expect(try await client.send(.delete, path, headers: user("reader@example.com", Self.readerKey, "CODE2")).status == .forbidden)
            let deleted = try await client.send(.delete, path, headers: user("clerk@example.com", Self.clerkKey, "CODE1"))
            #expect(deleted.status == .ok)
            #expect(deleted.json?["itemId"]?.integerValue == 4)
        }
    }

    @Test func buzzCallersSignInAndOut() async throws {
        try await Self.withSecureApp { client in
            let body = "{\"advertiser_id\": 1}"
            let missing = try await client.send(.delete, "/rest/advertiser", body: body)
            #expect(missing.status == .unauthorized)
            #expect(missing.json?["status"]?.stringValue == "ERROR")
            let wrong = try await client.send(.post, "/rest/login", body: "{\"username\": \"alice\", \"password\": \"nope\"}")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate]?.hasPrefix("Session") == true)
            #expect(try await client.send(.post, "/rest/login", body: "{\"username\": \"alice\"}").status == .badRequest)
            #expect(try await client.send(.post, "/rest/login", body: "{\"username\": \"alice\", \"password\": 5}").status == .badRequest)
            let extra = try await client.send(.post, "/rest/login", body: "{\"username\": \"alice\", \"password\": \"x\", \"remember\": true}")
            #expect(extra.json?["message"]?.stringValue == "the body has a member 'remember' that a sign-in does not take")
            #expect(try await client.send(.get, "/rest/login").status.code == 405)
            let rita = try await Self.signIn(client, "rita")
            let refused = try await client.send(.delete, "/rest/advertiser", headers: [.cookie: rita], body: body)
            #expect(refused.status == .forbidden)
            let alice = try await Self.signIn(client, "alice")
            let deleted = try await client.send(.delete, "/rest/advertiser", headers: [.cookie: alice], body: body)
            #expect(deleted.status == .ok)
            #expect(deleted.json?["status"]?.stringValue == "SUCCESS")
            let out = try await client.send(.post, "/rest/logout", headers: [.cookie: alice])
            #expect(out.status == .ok)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await client.send(.delete, "/rest/advertiser", headers: [.cookie: alice], body: "{\"advertiser_id\": 2}")
            #expect(after.status == .unauthorized)
        }
    }

    @Test func signInAttemptsPerUserNameAreLimited() async throws {
        try await Self.withSecureApp { client in
            // Sent at once, so that the attempts are counted before any password check ends.
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<30 {
                    group.addTask { try await client.send(.post, "/rest/login", body: "{\"username\": \"nobody\", \"password\": \"guess\"}") }
                }
                var replies: [Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            let limited = replies.filter { $0.status.code == 429 }
            #expect(replies.map(\.status.code).filter { $0 != 401 && $0 != 429 } == [])
            #expect(limited.count >= 15)
            #expect(limited.allSatisfy { $0.headers[.retryAfter] != nil })
            // Another user name is not held back by it.
            _ = try await Self.signIn(client, "alice")
        }
    }

    /// Signs in and returns the `Cookie` field that carries the session.
    static func signIn(_ client: DemoClient, _ user: String) async throws -> String {
        let reply = try await client.send(.post, "/rest/login", body: "{\"username\": \"\(user)\", \"password\": \"\(Self.password)\"}")
        #expect(reply.status == .ok)
        let setCookie = try #require(reply.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("Path=/rest;"))
        return String(setCookie.split(separator: ";")[0])
    }
}

/// HMAC-SHA256 for the test's tokens, from swift-crypto rather than the server's own code.
enum HMACSignature {
    static func sha256(_ message: String, key: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8)))
        return Data(code).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

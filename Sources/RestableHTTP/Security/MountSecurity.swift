public import HTTPTypes
public import RestableAuth
public import RestableCore

/// How one mount recognises its callers, and what they may do.
///
/// A mount without one serves everyone as ``Access/unrestricted`` (the loopback demo, or a
/// mount that says `anonymous: true`). With one, every request must carry exactly one
/// credential of the mount's methods; a missing or bad one is `unauthenticated` (401, with a
/// `WWW-Authenticate` challenge per method), and nothing of the credential is ever repeated.
public struct MountSecurity: Sendable {
    /// A way to present credentials.
    public enum Method: String, Sendable, CaseIterable {
        /// An API key: `X-API-Key: KEY` on a native mount, `Authorization: CALiveAPICreator KEY:1`
        /// on a Live API mount.
        case apiKey
        /// `Authorization: Bearer TOKEN`, a JWT.
        case jwt
        /// Autotask's `ApiIntegrationCode`, `UserName` and `Secret` headers (the secret is an API key).
        case apiUser
        /// A session cookie from Buzz's `POST /rest/login`.
        case session
    }

    public var methods: [Method]
    public var rules: AccessRules
    public var apiKeys: APIKeyRing
    public var users: [PasswordUser]
    public var jwt: JWTVerifier?
    /// How long a session lasts, in milliseconds.
    public var sessionLifetime: Int64
    /// Requests per second each credential may send here (nil: no limit).
    public var rateLimit: RateLimiter?
    /// The path the mount is served at, for challenges and cookies.
    public var realm: String
    /// Whether API keys come as Live API Creator sends them (`Authorization: CALiveAPICreator KEY:1`).
    public var liveAPIKeys: Bool

    public static let sessionCookie = "restable_session"
    public static let defaultSessionLifetime: Int64 = 8 * 3_600_000
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!
    static let integrationCodeHeader = HTTPField.Name("ApiIntegrationCode")!
    static let userNameHeader = HTTPField.Name("UserName")!
    static let secretHeader = HTTPField.Name("Secret")!

    public init(
        methods: [Method], rules: AccessRules, apiKeys: APIKeyRing = APIKeyRing([]), users: [PasswordUser] = [], jwt: JWTVerifier? = nil,
        sessionLifetime: Int64 = MountSecurity.defaultSessionLifetime, rateLimit: RateLimiter? = nil, realm: String, liveAPIKeys: Bool = false
    ) {
        self.methods = methods
        self.rules = rules
        self.apiKeys = apiKeys
        self.users = users
        self.jwt = jwt
        self.sessionLifetime = sessionLifetime
        self.rateLimit = rateLimit
        self.realm = realm
        self.liveAPIKeys = liveAPIKeys
    }

    /// The `WWW-Authenticate` challenges of a 401: one per method (RFC 9110 §11.6.1).
    public func challenges(invalidToken: Bool = false) -> String {
        let realm = "realm=\"\(self.realm.isEmpty ? "/" : self.realm)\""
        return methods.map { method in
            switch method {
            case .apiKey: liveAPIKeys ? "CALiveAPICreator \(realm)" : "ApiKey \(realm), header=\"X-API-Key\""
            case .jwt: invalidToken ? "Bearer \(realm), error=\"invalid_token\"" : "Bearer \(realm)"
            case .apiUser: "AutotaskApiUser \(realm), headers=\"ApiIntegrationCode UserName Secret\""
            case .session: "Session \(realm), cookie=\"\(Self.sessionCookie)\""
            }
        }.joined(separator: ", ")
    }

    /// Who sends `request`: exactly one credential of the mount's methods, checked.
    public func access(for headers: HTTPFields, engine: Engine) async throws(RestableError) -> Access {
        let principal = try await principal(for: headers, engine: engine)
        if let rateLimit {
            try await rateLimit.admit(principal.name)
        }
        return .principal(principal, rules)
    }

    private func principal(for headers: HTTPFields, engine: Engine) async throws(RestableError) -> Principal {
        let authorization = headers[values: .authorization]
        guard authorization.count <= 1 else { throw RestableError(.invalidHeader, "send one Authorization header, not \(authorization.count)") }
        var presented: [String] = []
        var found: Principal?

        if let field = authorization.first {
            let (scheme, credentials) = try CredentialHeaders.authorization(field)
            switch scheme.lowercased() {
            case "bearer" where methods.contains(.jwt):
                guard let jwt else { throw RestableError(.internalError, "bearer tokens are accepted here but no JWT key is configured") }
                presented.append("a bearer token")
                found = try await jwt.principal(for: credentials)
            case "caliveapicreator" where methods.contains(.apiKey) && liveAPIKeys:
                presented.append("a CALiveAPICreator key")
                let key = credentials.hasSuffix(":1") ? String(credentials.dropLast(2)) : credentials
                guard let entry = apiKeys.entry(forKey: key) else { throw Self.refused("the API key is not valid") }
                found = entry.principal
            default:
                throw RestableError(
                    .unauthenticated, "the Authorization scheme '\(ClientText.printable(scheme))' is not accepted here; use \(acceptedSchemes)")
            }
        }
        if let key = headers[Self.apiKeyHeader] {
            guard methods.contains(.apiKey), !liveAPIKeys else { throw RestableError(.unauthenticated, "X-API-Key is not accepted here; use \(acceptedSchemes)") }
            presented.append("X-API-Key")
            guard headers[values: Self.apiKeyHeader].count == 1 else { throw RestableError(.invalidHeader, "send one X-API-Key header") }
            guard let entry = apiKeys.entry(forKey: key) else { throw Self.refused("the API key is not valid") }
            found = entry.principal
        }
        let autotask = [Self.integrationCodeHeader, Self.userNameHeader, Self.secretHeader].map { headers[values: $0] }
        if autotask.contains(where: { !$0.isEmpty }) {
            guard methods.contains(.apiUser) else {
                throw RestableError(.unauthenticated, "ApiIntegrationCode, UserName and Secret are not accepted here; use \(acceptedSchemes)")
            }
            presented.append("Autotask API user headers")
            guard autotask.allSatisfy({ $0.count == 1 }) else {
                throw RestableError(.unauthenticated, "an Autotask API user sends each of ApiIntegrationCode, UserName and Secret once")
            }
            guard let entry = apiKeys.entry(userName: autotask[1][0], secret: autotask[2][0], integrationCode: autotask[0][0]) else {
                throw Self.refused("the API user, secret or integration code is not valid")
            }
            found = entry.principal
        }
        if methods.contains(.session), let token = try CredentialHeaders.cookie(Self.sessionCookie, in: headers) {
            presented.append("a session cookie")
            guard let user = try await engine.sessionUser(digest: SecretDigest.hex(of: token)),
                let known = users.first(where: { $0.name == user })
            else { throw Self.refused("the session has ended or is not valid; sign in again") }
            found = known.principal
        }
        guard presented.count <= 1 else {
            throw RestableError(.invalidHeader, "send one credential, not \(presented.joined(separator: " and "))")
        }
        guard let found else { throw RestableError(.unauthenticated, "this mount needs credentials: \(acceptedSchemes)") }
        return found
    }

    /// What a client may send, for messages.
    var acceptedSchemes: String {
        methods.map { method in
            switch method {
            case .apiKey: liveAPIKeys ? "Authorization: CALiveAPICreator <key>:1" : "X-API-Key: <key>"
            case .jwt: "Authorization: Bearer <token>"
            case .apiUser: "the ApiIntegrationCode, UserName and Secret headers"
            case .session: "a session cookie from POST \(realm)/login"
            }
        }.joined(separator: ", or ")
    }

    static func refused(_ why: String) -> RestableError {
        RestableError(.unauthenticated, why)
    }

}

public import Hummingbird
public import RestableAuth
public import RestableCore

/// Who may sign in on a Buzz mount, and for how long (`authentication: [session]`).
public struct BuzzSignIn: Sendable {
    public var users: [PasswordUser]
    /// How long a session lasts, in milliseconds.
    public var lifetime: Int64
    /// Sign-in attempts per user name: one a second, ten at once (429 beyond), so that a
    /// password cannot be guessed at speed.
    let attempts = RateLimiter(requestsPerSecond: 1, burst: 10, counted: "sign-in attempts for this user name")

    public init(users: [PasswordUser], lifetime: Int64) {
        self.users = users
        self.lifetime = lifetime
    }
}

/// `POST /rest/login` with `{"username": ..., "password": ...}` sets a session cookie (curl's
/// `-c cookies.txt`, then `-b cookies.txt`); `POST /rest/logout` ends the session. The seed
/// shows only the cookie; the sign-in's shape is Restable's, in Buzz's envelope.
extension BuzzDialect {
    public func admitsWithoutCredentials(_ request: IncomingRequest) -> Bool {
        signIn != nil && request.segments.count == 1 && ["login", "logout"].contains(request.segments[0])
    }

    func signInRoute(_ request: IncomingRequest) async throws(RestableError) -> Response? {
        guard let signIn, request.segments.count == 1, ["login", "logout"].contains(request.segments[0]) else { return nil }
        guard request.method == .post else {
            throw RestableError(.methodNotAllowed, "\(request.method) is not supported here; use POST")
        }
        _ = try Preferences(request.headers, supported: [])
        try request.query.refuseOthers(than: [], here: "a Buzz sign-in")
        return request.segments[0] == "login" ? try await login(request, signIn) : try await logout(request)
    }

    private func login(_ request: IncomingRequest, _ signIn: BuzzSignIn) async throws(RestableError) -> Response {
        guard let body = try Self.body(request), case .object(let members) = body else {
            throw RestableError(.invalidBody, "sign in with a JSON body: {\"username\": \"...\", \"password\": \"...\"}")
        }
        if let other = members.first(where: { $0.0 != "username" && $0.0 != "password" }) {
            throw RestableError(.invalidBody, "the body has a member '\(ClientText.printable(other.0))' that a sign-in does not take")
        }
        guard let username = try body.string("username", in: "a sign-in"), let password = try body.string("password", in: "a sign-in") else {
            throw RestableError(.invalidBody, "a sign-in needs both username and password")
        }
        try await signIn.attempts.admit(username)
        guard let user = await PasswordCheck.verify(password, of: username, among: signIn.users) else {
            throw RestableError(.unauthenticated, "the user name or the password is not right")
        }
        let token = SecretDigest.randomSecret()
        _ = try await engine.openSession(digest: SecretDigest.hex(of: token), user: user.name, lifetime: signIn.lifetime)
        var response = Self.reply(
            .ok, "SUCCESS", "signed in as \(user.name)",
            payload: .object([("user", .string(user.name)), ("expiresIn", .integer(signIn.lifetime / 1000))]))
        response.headers[.setCookie] = cookie(token, request: request, maxAge: signIn.lifetime / 1000)
        return response
    }

    private func logout(_ request: IncomingRequest) async throws(RestableError) -> Response {
        guard request.body.isEmpty else { throw RestableError(.invalidBody, "a sign-out reads no body") }
        if let token = try CredentialHeaders.cookie(MountSecurity.sessionCookie, in: request.headers) {
            try await engine.closeSession(digest: SecretDigest.hex(of: token))
        }
        var response = Self.reply(.ok, "SUCCESS", "signed out", payload: .object([]))
        response.headers[.setCookie] = cookie("", request: request, maxAge: 0)
        return response
    }

    /// The session cookie: sent back only under this mount, never to scripts, never to other sites.
    private func cookie(_ value: String, request: IncomingRequest, maxAge: Int64) -> String {
        let secure = (try? request.scheme()) == "https" ? "; Secure" : ""
        return "\(MountSecurity.sessionCookie)=\(value); Path=\(request.mountPath.isEmpty ? "/" : request.mountPath); Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure)"
    }
}

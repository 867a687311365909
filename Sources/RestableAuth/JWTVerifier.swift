public import Foundation
import JWTKit
public import RestableCore

/// How a mount checks JWT bearer tokens: the keys (each for one algorithm), the issuer and
/// audience a token must name, and the claims that carry the caller's roles and name.
public struct JWTSettings: Sendable {
    /// The algorithms Restable verifies. `none` is never one of them.
    public enum Algorithm: String, Sendable, CaseIterable {
        case hs256 = "HS256", rs256 = "RS256", es256 = "ES256"
    }

    /// One key: a token is checked with it only when the token's header names its algorithm
    /// (and its `kid`, when the key has one), so that a key is never used with another
    /// algorithm than its own (no algorithm confusion).
    public struct Key: Sendable {
        public enum Material: Sendable {
            /// An HMAC secret (HS256).
            case secret([UInt8])
            /// A PEM public key (or certificate) for RS256 or ES256.
            case pem(String)
        }

        public var algorithm: Algorithm
        public var kid: String?
        public var material: Material

        public init(algorithm: Algorithm, kid: String? = nil, material: Material) {
            self.algorithm = algorithm
            self.kid = kid
            self.material = material
        }
    }

    public var keys: [Key]
    /// The `iss` every token must carry.
    public var issuer: String
    /// A token's `aud` must hold one of these.
    public var audiences: [String]
    /// Where the roles are: a claim name, or a dotted path into objects
    /// (`realm_access.roles`); a list of texts, or one text of names separated by spaces.
    public var rolesClaim: String
    /// The claim that names the caller (`jwt:<value>` in logs and budgets).
    public var subjectClaim: String
    /// How many seconds of clock difference `exp` and `nbf` tolerate.
    public var leeway: Int

    public static let defaultLeeway = 30
    /// The longest token accepted, in bytes.
    public static let maximumTokenLength = 16 * 1024

    public init(
        keys: [Key], issuer: String, audiences: [String], rolesClaim: String = "roles", subjectClaim: String = "sub",
        leeway: Int = JWTSettings.defaultLeeway
    ) {
        self.keys = keys
        self.issuer = issuer
        self.audiences = audiences
        self.rolesClaim = rolesClaim
        self.subjectClaim = subjectClaim
        self.leeway = leeway
    }
}

/// A key that cannot be used (a malformed PEM, an RSA key under 2048 bits).
public struct JWTKeyError: Error, CustomStringConvertible {
    public var description: String
}

/// Verifies JWT bearer tokens and makes a ``Principal`` of their claims.
///
/// The signature is checked by jwt-kit; before that, the header must name an algorithm of a
/// configured key (`none` and every other algorithm are refused) and no critical extension;
/// after it, `iss`, `aud`, `exp` (required) and `nbf` are checked here. Messages never repeat
/// the token.
public struct JWTVerifier: Sendable {
    let settings: JWTSettings
    private let signers: [(key: JWTSettings.Key, collection: JWTKeyCollection)]

    public init(_ settings: JWTSettings) async throws {
        self.settings = settings
        var signers: [(JWTSettings.Key, JWTKeyCollection)] = []
        for key in settings.keys {
            let collection = JWTKeyCollection()
            do {
                switch (key.algorithm, key.material) {
                case (.hs256, .secret(let secret)):
                    await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
                case (.rs256, .pem(let pem)):
                    let rsa = pem.contains("CERTIFICATE") ? try Insecure.RSA.PublicKey(certificatePEM: pem) : try Insecure.RSA.PublicKey(pem: pem)
                    await collection.add(rsa: rsa, digestAlgorithm: .sha256)
                case (.es256, .pem(let pem)):
                    let ecdsa = pem.contains("CERTIFICATE") ? try ES256PublicKey(certificate: pem) : try ES256PublicKey(pem: pem)
                    await collection.add(ecdsa: ecdsa)
                default:
                    throw JWTKeyError(description: "a \(key.algorithm.rawValue) key needs \(key.algorithm == .hs256 ? "a secret" : "a PEM public key")")
                }
            } catch let error as JWTKeyError {
                throw error
            } catch {
                throw JWTKeyError(description: "the \(key.algorithm.rawValue) key\(key.kid.map { " '\($0)'" } ?? "") cannot be used: \(error)")
            }
            signers.append((key, collection))
        }
        self.signers = signers
    }

    /// The caller a token stands for, or `unauthenticated` saying what is wrong with it.
    public func principal(for token: String, now: Date = Date()) async throws(RestableError) -> Principal {
        guard token.utf8.count <= JWTSettings.maximumTokenLength else { throw Self.refused("the token is longer than \(JWTSettings.maximumTokenLength) bytes") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Self.base64URLDecoded(parts[0]),
            let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any]
        else { throw Self.refused("the token is not a JWT (three base64url parts, a JSON header)") }
        guard let alg = header["alg"] as? String else { throw Self.refused("the token's header names no algorithm") }
        guard alg.lowercased() != "none" else { throw Self.refused("unsigned tokens (alg none) are never accepted") }
        guard header["crit"] == nil else { throw Self.refused("the token's header has critical extensions, which Restable does not understand") }
        let kid = header["kid"] as? String
        let candidates = signers.filter { $0.key.algorithm.rawValue == alg && ($0.key.kid == nil || kid == nil || $0.key.kid == kid) }
        guard !candidates.isEmpty else {
            throw Self.refused("the token's algorithm \(Self.shown(alg))\(kid.map { " and key id \(Self.shown($0))" } ?? "") match no configured key")
        }
        var verified: ClaimsPayload?
        for candidate in candidates {
            if let payload = try? await candidate.collection.verify(token, as: ClaimsPayload.self) {
                verified = payload
                break
            }
        }
        guard let claims = verified?.claims else { throw Self.refused("the token's signature is not valid") }
        return try principal(from: claims, now: now)
    }

    func principal(from claims: [String: ClaimJSON], now: Date) throws(RestableError) -> Principal {
        let seconds = now.timeIntervalSince1970
        guard case .string(let issuer)? = claims["iss"], issuer == settings.issuer else {
            throw Self.refused("the token's issuer (iss) is not the one configured")
        }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: audiences = []
        }
        guard audiences.contains(where: settings.audiences.contains) else { throw Self.refused("the token's audience (aud) is not this server's") }
        guard let expiry = claims["exp"]?.seconds else { throw Self.refused("the token has no expiry (exp), or it is not a number") }
        guard seconds < expiry + Double(settings.leeway) else { throw Self.refused("the token has expired") }
        if let notBefore = claims["nbf"] {
            guard let start = notBefore.seconds else { throw Self.refused("the token's nbf is not a number") }
            guard seconds >= start - Double(settings.leeway) else { throw Self.refused("the token is not valid yet (nbf)") }
        }
        guard case .string(let subject)? = claims[settings.subjectClaim], !subject.isEmpty else {
            throw Self.refused("the token has no \(settings.subjectClaim) claim naming its caller")
        }
        var values: [String: [Value]] = [:]
        for (name, claim) in claims {
            if let scalars = claim.values { values[name] = scalars }
        }
        return Principal(name: "jwt:\(subject)", roles: roles(in: claims), claims: values)
    }

    /// The role names at ``JWTSettings/rolesClaim``: a list of texts, or one text of names
    /// separated by spaces (an OAuth `scope`); none when the claim is missing.
    func roles(in claims: [String: ClaimJSON]) -> [String] {
        var node: ClaimJSON? = .object(claims)
        for part in settings.rolesClaim.split(separator: ".") {
            guard case .object(let members)? = node else { return [] }
            node = members[String(part)]
        }
        switch node {
        case .string(let text)?: return text.split(whereSeparator: { $0 == " " }).map(String.init)
        case .array(let items)?: return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: return []
        }
    }

    /// How every refusal of a token begins (a 401 for one says `error="invalid_token"`).
    public static let refusalPrefix = "the bearer token is not accepted: "

    static func refused(_ why: String) -> RestableError {
        RestableError(.unauthenticated, refusalPrefix + why)
    }

    /// A header value from the token, quoted and made safe for a message.
    static func shown(_ text: String) -> String {
        "'" + ClientText.printable(text) + "'"
    }

    static func base64URLDecoded(_ part: Substring) -> Data? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !text.contains("=") else { return nil }
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }
}

/// A JSON value of a token's payload.
indirect enum ClaimJSON: Sendable, Decodable {
    case null, bool(Bool), number(Double), integer(Int64), string(String), array([ClaimJSON]), object([String: ClaimJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ClaimJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ClaimJSON].self))
        }
    }

    /// A NumericDate claim (`exp`, `nbf`): seconds since 1970, whole or not.
    var seconds: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value) where value.isFinite: value
        default: nil
        }
    }

    /// A claim as values for row policies: a scalar, or a list of scalars; nil otherwise.
    var values: [Value]? {
        switch self {
        case .null: nil
        case .bool(let value): [.boolean(value)]
        case .integer(let value): [.integer(value)]
        case .number(let value): [.real(value)]
        case .string(let value): [.text(value)]
        case .array(let items):
            items.allSatisfy { $0.values?.count == 1 } ? items.compactMap { $0.values?.first } : nil
        case .object: nil
        }
    }
}

/// Every claim of a token, decoded as JSON; jwt-kit checks the signature, ``JWTVerifier`` the claims.
struct ClaimsPayload: JWTPayload {
    var claims: [String: ClaimJSON]

    init(from decoder: any Decoder) throws {
        claims = try decoder.singleValueContainer().decode([String: ClaimJSON].self)
    }

    func encode(to encoder: any Encoder) throws {
        throw JWTKeyError(description: "Restable verifies tokens; it does not issue them")
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

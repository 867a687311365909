import Crypto
import Foundation
import JWTKit
import RestableAuth
import RestableCore
import Testing
import _CryptoExtras

/// Tokens as an identity provider signs them (with jwt-kit's signing side), and every way a
/// token can be wrong: expired, not yet valid, another audience or issuer, a bad signature,
/// `alg: none`, and algorithm confusion (an RS256 public key used as an HS256 secret).
@Suite struct JWTVerifierTests {
    static let secret = Array("a-shared-secret-of-at-least-32-bytes!".utf8)
    static let issuer = "https://id.example.com"

    struct Claims: JWTPayload {
        var iss: String?
        var aud: [String]?
        var sub: String?
        var exp: Double?
        var nbf: Double?
        var roles: [String]?
        var tenant: Int?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func claims(exp: Double = 600, nbf: Double? = nil, aud: [String] = ["restable"], iss: String = issuer) -> Claims {
        let now = Date().timeIntervalSince1970
        return Claims(iss: iss, aud: aud, sub: "alice", exp: now + exp, nbf: nbf.map { now + $0 }, roles: ["clerk", "reader"], tenant: 7)
    }

    static func hmacSigner() async -> JWTKeyCollection {
        await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    static func verifier(_ keys: [JWTSettings.Key]) async throws -> JWTVerifier {
        try await JWTVerifier(JWTSettings(keys: keys, issuer: issuer, audiences: ["restable"]))
    }

    static func refusal(_ verifier: JWTVerifier, _ token: String) async -> String? {
        do {
            _ = try await verifier.principal(for: token)
            return nil
        } catch {
            #expect(error.code == .unauthenticated)
            #expect(!error.message.contains(token))
            return error.message
        }
    }

    @Test func aValidHS256TokenNamesItsCallerRolesAndClaims() async throws {
        let token = try await Self.hmacSigner().sign(Self.claims())
        let verifier = try await Self.verifier([JWTSettings.Key(algorithm: .hs256, material: .secret(Self.secret))])
        let principal = try await verifier.principal(for: token)
        #expect(principal.name == "jwt:alice")
        #expect(principal.roles == ["clerk", "reader"])
        #expect(principal.claims["tenant"] == [.integer(7)])
        #expect(principal.claims["sub"] == [.text("alice")])
    }

    @Test func everyWrongTokenIsRefusedSayingWhy() async throws {
        let signer = await Self.hmacSigner()
        let verifier = try await Self.verifier([JWTSettings.Key(algorithm: .hs256, material: .secret(Self.secret))])
        #expect(await Self.refusal(verifier, try await signer.sign(Self.claims(exp: -120)))?.hasSuffix("the token has expired") == true)
        #expect(await Self.refusal(verifier, try await signer.sign(Self.claims(nbf: 300)))?.hasSuffix("not valid yet (nbf)") == true)
        #expect(await Self.refusal(verifier, try await signer.sign(Self.claims(aud: ["someone-else"])))?.contains("audience") == true)
        #expect(await Self.refusal(verifier, try await signer.sign(Self.claims(iss: "https://evil.example")))?.contains("issuer") == true)
        let other = await JWTKeyCollection().add(hmac: HMACKey(from: Array("another-secret-that-is-long-enough!!".utf8)), digestAlgorithm: .sha256)
        #expect(await Self.refusal(verifier, try await other.sign(Self.claims()))?.hasSuffix("signature is not valid") == true)
        let valid = try await signer.sign(Self.claims())
        let parts = valid.split(separator: ".")
        let tampered = parts[0] + "." + parts[1].dropLast() + "A." + parts[2]
        #expect(await Self.refusal(verifier, String(tampered)) != nil)
        #expect(await Self.refusal(verifier, "not.a-token") != nil)
        #expect(await Self.refusal(verifier, String(repeating: "a", count: 20_000))?.contains("longer than") == true)
    }

    @Test func unsignedTokensAreRefusedEvenWithAnEmptySignature() async throws {
        let verifier = try await Self.verifier([JWTSettings.Key(algorithm: .hs256, material: .secret(Self.secret))])
        let payload = try JSONEncoder().encode(Self.claims())
        for alg in ["none", "None", "NONE"] {
            let header = Data("{\"alg\":\"\(alg)\",\"typ\":\"JWT\"}".utf8)
            let token = Self.base64URL(header) + "." + Self.base64URL(payload) + "."
            #expect(await Self.refusal(verifier, token)?.contains("alg none") == true)
        }
    }

    @Test func anRS256PublicKeyIsNeverUsedAsAnHMACSecret() async throws {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let publicPEM = rsa.publicKey.pemRepresentation
        let verifier = try await Self.verifier([JWTSettings.Key(algorithm: .rs256, material: .pem(publicPEM))])
        let rsaSigner = await JWTKeyCollection().add(rsa: try Insecure.RSA.PrivateKey(backing: rsa), digestAlgorithm: .sha256)
        #expect(try await verifier.principal(for: try await rsaSigner.sign(Self.claims())).name == "jwt:alice")
        // The attack: sign with HS256, using the public key's PEM text as the HMAC secret.
        let confused = await JWTKeyCollection().add(hmac: HMACKey(from: Array(publicPEM.utf8)), digestAlgorithm: .sha256)
        #expect(await Self.refusal(verifier, try await confused.sign(Self.claims()))?.contains("match no configured key") == true)
    }

    @Test func anES256TokenIsCheckedWithItsKeyAndKeyID() async throws {
        let key = ES256PrivateKey()
        let verifier = try await Self.verifier([JWTSettings.Key(algorithm: .es256, kid: "k1", material: .pem(key.publicKey.pemRepresentation))])
        let signer = await JWTKeyCollection().add(ecdsa: key, kid: "k1")
        #expect(try await verifier.principal(for: try await signer.sign(Self.claims(), kid: "k1")).roles == ["clerk", "reader"])
        let otherKid = await JWTKeyCollection().add(ecdsa: key, kid: "k2")
        #expect(await Self.refusal(verifier, try await otherKid.sign(Self.claims(), kid: "k2"))?.contains("match no configured key") == true)
        let stranger = await JWTKeyCollection().add(ecdsa: ES256PrivateKey(), kid: "k1")
        #expect(await Self.refusal(verifier, try await stranger.sign(Self.claims(), kid: "k1"))?.hasSuffix("signature is not valid") == true)
    }

    @Test func rolesMayComeFromANestedClaimOrASpaceSeparatedScope() async throws {
        let signer = await Self.hmacSigner()
        struct Nested: JWTPayload {
            var iss = JWTVerifierTests.issuer
            var aud = "restable"
            var sub = "svc"
            var exp = Date().timeIntervalSince1970 + 600
            var realm_access = ["roles": ["loader"]]
            var scope = "read delete"
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        let token = try await signer.sign(Nested())
        for (claim, roles) in [("realm_access.roles", ["loader"]), ("scope", ["read", "delete"]), ("missing", [])] {
            let verifier = try await JWTVerifier(
                JWTSettings(keys: [JWTSettings.Key(algorithm: .hs256, material: .secret(Self.secret))], issuer: Self.issuer, audiences: ["restable"], rolesClaim: claim))
            #expect(try await verifier.principal(for: token).roles == roles)
        }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// API keys: only digests are kept, and comparisons take the same time whatever matches.
@Suite struct SecretDigestTests {
    @Test func aKeyIsFoundByItsDigestAndAnyOtherKeyIsNot() {
        let ring = APIKeyRing([
            APIKeyEntry(name: "loader", digest: SecretDigest.of("key-one"), roles: ["loader"]),
            APIKeyEntry(
                name: "at", digest: SecretDigest.of("key-two"), roles: ["clerk"], userName: "api@example.com", integrationCode: "CODE"),
        ])
        #expect(ring.entry(forKey: "key-one")?.name == "loader")
        #expect(ring.entry(forKey: "key-one ") == nil)
        #expect(ring.entry(forKey: "") == nil)
        #expect(ring.entry(userName: "api@example.com", secret: "key-two", integrationCode: "CODE")?.name == "at")
        #expect(ring.entry(userName: "api@example.com", secret: "key-two", integrationCode: "code") == nil)
        #expect(ring.entry(userName: "API@example.com", secret: "key-two", integrationCode: "CODE") == nil)
        #expect(ring.entry(userName: "api@example.com", secret: "key-one", integrationCode: "CODE") == nil)
    }

    @Test func digestsParseAndCompare() {
        let hex = SecretDigest.hex(of: "abc")
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretDigest.parse(hex: hex.uppercased()) == SecretDigest.of("abc"))
        #expect(SecretDigest.parse(hex: String(hex.dropLast())) == nil)
        #expect(SecretDigest.parse(hex: String(hex.dropLast()) + "g") == nil)
        #expect(SecretDigest.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!SecretDigest.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!SecretDigest.constantTimeEqual([1, 2, 3], [1, 2]))
        let secrets = Set((0..<100).map { _ in SecretDigest.randomSecret() })
        #expect(secrets.count == 100)
        #expect(secrets.allSatisfy { $0.count == 43 })
    }

    @Test func passwordsAreCheckedAgainstBcryptHashes() async {
        let users = [PasswordUser(name: "alice", bcrypt: PasswordCheck.hash("correct horse", cost: 10), roles: ["clerk"])]
        #expect(PasswordCheck.isBcryptHash(users[0].bcrypt))
        #expect(await PasswordCheck.verify("correct horse", of: "alice", among: users)?.name == "alice")
        #expect(await PasswordCheck.verify("correct horse ", of: "alice", among: users) == nil)
        #expect(await PasswordCheck.verify("correct horse", of: "bob", among: users) == nil)
        #expect(!PasswordCheck.isBcryptHash("correct horse"))
    }
}

public import RestableCore

/// One configured API key: its digest (never the key), who it is, and what it holds.
public struct APIKeyEntry: Sendable {
    /// The key's name in logs (`apikey:NAME`).
    public var name: String
    public var digest: [UInt8]
    public var roles: [String]
    /// Claims for row policies; `sub` is the name unless set.
    public var claims: [String: [Value]]
    /// For the Autotask convention: the `UserName` header that must come with this key as
    /// `Secret`, and the `ApiIntegrationCode` that must come with it.
    public var userName: String?
    public var integrationCode: String?

    public init(
        name: String, digest: [UInt8], roles: [String], claims: [String: [Value]] = [:], userName: String? = nil,
        integrationCode: String? = nil
    ) {
        self.name = name
        self.digest = digest
        self.roles = roles
        self.claims = claims
        self.userName = userName
        self.integrationCode = integrationCode
    }

    public var principal: Principal {
        Principal(configured: "apikey", name: name, roles: roles, claims: claims)
    }
}

/// The API keys of a configuration.
public struct APIKeyRing: Sendable {
    public var entries: [APIKeyEntry]

    public init(_ entries: [APIKeyEntry]) {
        self.entries = entries
    }

    /// The entry whose digest is the key's, comparing with every entry in constant time (the
    /// loop never stops early).
    public func entry(forKey key: String) -> APIKeyEntry? {
        let digest = SecretDigest.of(key)
        var found: APIKeyEntry?
        for entry in entries where SecretDigest.constantTimeEqual(entry.digest, digest) && found == nil {
            found = entry
        }
        return found
    }

    /// The Autotask convention: the key given as `Secret` must belong to `userName`, and the
    /// integration code must be the one configured for it. The user name and the code are
    /// compared in constant time too.
    public func entry(userName: String, secret: String, integrationCode: String) -> APIKeyEntry? {
        guard let entry = entry(forKey: secret), let expectedUser = entry.userName, let expectedCode = entry.integrationCode else {
            return nil
        }
        let userMatches = SecretDigest.constantTimeEqual(SecretDigest.of(expectedUser), SecretDigest.of(userName))
        let codeMatches = SecretDigest.constantTimeEqual(SecretDigest.of(expectedCode), SecretDigest.of(integrationCode))
        return userMatches && codeMatches ? entry : nil
    }
}

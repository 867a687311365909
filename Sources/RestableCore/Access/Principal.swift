/// Who sends a request, once a mount's authentication has recognised its credentials.
public struct Principal: Sendable, Hashable, CustomStringConvertible {
    /// How logs, budgets and sessions name the caller (`apikey:loader`, `jwt:alice`,
    /// `user:bob`): never a secret.
    public var name: String
    /// The roles whose permissions the caller holds (their union).
    public var roles: [String]
    /// The caller's claims (from a token, or configured for a key or user), each a list of
    /// values: row policies compare columns with them.
    public var claims: [String: [Value]]

    public init(name: String, roles: [String], claims: [String: [Value]] = [:]) {
        self.name = name
        self.roles = roles
        self.claims = claims
    }

    /// A caller the configuration names (an API key, a user): `KIND:NAME`, whose `sub` claim
    /// is its name unless the configuration gives one.
    public init(configured kind: String, name: String, roles: [String], claims: [String: [Value]]) {
        var claims = claims
        if claims["sub"] == nil { claims["sub"] = [.text(name)] }
        self.init(name: "\(kind):\(name)", roles: roles, claims: claims)
    }

    public var description: String { name }
}

/// What one request may do.
public enum Access: Sendable {
    /// A mount served without authentication (loopback, or `anonymous: true`): everything the
    /// schema allows.
    case unrestricted
    /// An authenticated caller, limited by the roles it holds.
    case principal(Principal, AccessRules)

    /// The caller's name for logs: `anonymous` on an open mount.
    public var callerName: String {
        switch self {
        case .unrestricted: "anonymous"
        case .principal(let principal, _): principal.name
        }
    }
}

/// One thing a role may do to the rows of a resource.
public enum Action: String, Sendable, Hashable, CaseIterable {
    case read, insert, update, delete
    /// May a delete of this resource go on into the rows that its cascade relationships delete
    /// (each of which also needs `delete` on its own resource).
    case cascade
    /// May rows of this resource in the trash be removed for good (a resource with soft
    /// delete). A purge's cascade also needs `cascade` here and `delete` on each child.
    case purge
}

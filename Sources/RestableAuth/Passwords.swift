import Dispatch
import HummingbirdBcrypt
public import RestableCore

/// One configured user who signs in with a password (Buzz's `/rest/login`): its bcrypt hash,
/// never the password.
public struct PasswordUser: Sendable {
    public var name: String
    public var bcrypt: String
    public var roles: [String]
    public var claims: [String: [Value]]

    public init(name: String, bcrypt: String, roles: [String], claims: [String: [Value]] = [:]) {
        self.name = name
        self.bcrypt = bcrypt
        self.roles = roles
        self.claims = claims
    }

    public var principal: Principal {
        Principal(configured: "user", name: name, roles: roles, claims: claims)
    }
}

/// Checks passwords against bcrypt hashes, off Swift's cooperative threads (a check takes
/// tens to hundreds of milliseconds, by design).
public enum PasswordCheck {
    /// A hash no password matches, checked for an unknown user name so that an unknown name
    /// and a wrong password take the same time.
    static let decoy = Bcrypt.hash(SecretDigest.randomSecret(), cost: 10)

    /// At most this many checks run at once (each keeps a thread busy); the others wait their
    /// turn, so a flood of sign-ins cannot take every thread.
    static let slots = AsyncGate(width: 2)
    /// The longest password checked: bcrypt reads 72 bytes at most, and longer input only costs time.
    public static let maximumLength = 1_024

    /// The user when `password` is theirs; nil for an unknown name or a wrong password.
    public static func verify(_ password: String, of name: String, among users: [PasswordUser]) async -> PasswordUser? {
        guard password.utf8.count <= maximumLength else { return nil }
        let user = users.first { $0.name == name }
        let hash = user?.bcrypt ?? decoy
        let matches = await slots.withGate {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
            }
        }
        return matches ? user : nil
    }

    /// A bcrypt hash of `password` for a configuration (`restable hash-password`).
    public static func hash(_ password: String, cost: UInt8 = 12) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// True when `text` has the form of a bcrypt hash (`$2a$`, `$2b$` or `$2y$`, a cost, 53 characters).
    public static func isBcryptHash(_ text: String) -> Bool {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, ["2a", "2b", "2y"].contains(parts[1]), parts[2].count == 2,
            let cost = Int(parts[2]), (4...31).contains(cost), parts[3].count == 53
        else { return false }
        return true
    }
}

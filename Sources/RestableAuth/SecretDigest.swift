import Crypto
import Foundation

/// SHA-256 digests of secrets (API keys, session tokens) and their comparison in constant time.
///
/// A configuration holds only the digest of an API key, never the key; a request's key is
/// digested and compared with every configured digest, each comparison taking the same time
/// whatever the bytes, so that neither the key nor which entry matched can be learnt by timing.
public enum SecretDigest {
    /// The SHA-256 digest of `secret`'s UTF-8 bytes.
    public static func of(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.utf8)))
    }

    /// The digest as 64 lower-case hex digits (as a configuration writes it).
    public static func hex(of secret: String) -> String {
        hex(of(secret))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Parses 64 hex digits (either case); nil for anything else.
    public static func parse(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// True when the two byte strings are equal, in time that depends only on their lengths:
    /// every byte is compared, and no branch depends on what they hold.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// A new random secret: 32 bytes from the system's secure generator, base64url without
    /// padding (43 characters).
    public static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

public import HTTPTypes
public import RestableCore

/// An entity tag (RFC 9110 §8.8.3): an opaque quoted string, strong or weak (`W/"..."`).
public struct EntityTag: Sendable, Hashable {
    public var weak: Bool
    /// The text between the quotes.
    public var opaque: String
}

/// What an `If-Match` or `If-None-Match` field holds: `*`, or a list of entity tags.
public enum EntityTagCondition: Sendable, Hashable {
    case any
    case tags([EntityTag])

    /// Parses every field of `name`; nil when the request has none. Fails with
    /// `invalidHeader` naming the field when it breaks `"*" / #entity-tag` (an unquoted tag
    /// included).
    public static func parse(_ headers: HTTPFields, _ name: HTTPField.Name) throws(RestableError) -> EntityTagCondition? {
        let fields = headers[values: name]
        guard !fields.isEmpty else { return nil }
        var tags: [EntityTag] = []
        var star = false
        for field in fields {
            var scanner = HeaderScanner(field)
            _ = scanner.skipListSeparators()
            while !scanner.atEnd {
                if scanner.take(UInt8(ascii: "*")) {
                    star = true
                } else {
                    let weak = scanner.take(UInt8(ascii: "W"))
                    if weak, !scanner.take(UInt8(ascii: "/")) { throw malformed(name, field) }
                    guard let opaque = opaqueTag(&scanner) else { throw malformed(name, field) }
                    tags.append(EntityTag(weak: weak, opaque: opaque))
                }
                guard scanner.skipListSeparators() else { throw malformed(name, field) }
            }
        }
        if star {
            guard tags.isEmpty else { throw RestableError(.invalidHeader, "\(name) holds * and entity tags; send one or the other") }
            return .any
        }
        guard !tags.isEmpty else { throw malformed(name, fields.joined(separator: ", ")) }
        return .tags(tags)
    }

    /// `DQUOTE *etagc DQUOTE`, where etagc is `%x21 / %x23-7E / obs-text` (no escapes).
    private static func opaqueTag(_ scanner: inout HeaderScanner) -> String? {
        guard scanner.take(UInt8(ascii: "\"")) else { return nil }
        var bytes: [UInt8] = []
        while let byte = scanner.peek {
            _ = scanner.take(byte)
            if byte == UInt8(ascii: "\"") { return String(validating: bytes, as: UTF8.self) }
            guard byte == 0x21 || (0x23...0x7E).contains(byte) || byte >= 0x80 else { return nil }
            bytes.append(byte)
        }
        return nil
    }

    private static func malformed(_ name: HTTPField.Name, _ field: String) -> RestableError {
        RestableError(
            .invalidHeader, "\(name) '\(field)' is not an entity tag: quote the checksum as in the ETag (\"A:...\"), or send *")
    }
}

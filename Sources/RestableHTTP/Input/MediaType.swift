public import HTTPTypes
public import RestableCore

/// The body's media type (RFC 9110 §8.3.1): `type/subtype *(OWS ";" OWS [parameter])`.
public struct MediaType: Sendable, Hashable {
    /// Lower-cased.
    public var type: String
    /// Lower-cased.
    public var subtype: String
    /// Parameter names lower-cased, values as sent (unquoted).
    public var parameters: [(name: String, value: String)]

    public static func == (lhs: MediaType, rhs: MediaType) -> Bool {
        lhs.type == rhs.type && lhs.subtype == rhs.subtype && lhs.parameters.elementsEqual(rhs.parameters, by: { $0 == $1 })
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(subtype)
    }

    /// Parses a `Content-Type` value; nil when it breaks the grammar.
    public static func parse(_ text: String) -> MediaType? {
        var scanner = HeaderScanner(text)
        scanner.skipWhitespace()
        guard let type = scanner.token(), scanner.take(UInt8(ascii: "/")), let subtype = scanner.token() else { return nil }
        var parameters: [(String, String)] = []
        scanner.skipWhitespace()
        while scanner.take(UInt8(ascii: ";")) {
            scanner.skipWhitespace()
            // RFC 9110 §5.6.6: a parameter may be empty (`application/json;`).
            if scanner.atEnd || scanner.peek == UInt8(ascii: ";") { continue }
            guard let name = scanner.token(), scanner.take(UInt8(ascii: "=")), let value = scanner.word() else { return nil }
            parameters.append((name.lowercased(), value))
            scanner.skipWhitespace()
        }
        guard scanner.atEnd else { return nil }
        return MediaType(type: type.lowercased(), subtype: subtype.lowercased(), parameters: parameters)
    }

    /// Refuses a request body that is not JSON: `Content-Type` must be absent, `application/json`
    /// or `application/*+json`, or curl's default for `-d` (`application/x-www-form-urlencoded`,
    /// whose body is read as JSON too); a `charset` must be UTF-8. `unsupportedMediaType`
    /// otherwise, `invalidHeader` when the field is malformed or repeated.
    public static func requireJSON(_ headers: HTTPFields) throws(RestableError) {
        let fields = headers[values: .contentType]
        guard !fields.isEmpty else { return }
        guard fields.count == 1 else { throw RestableError(.invalidHeader, "Content-Type is given \(fields.count) times") }
        guard let media = parse(fields[0]) else {
            throw RestableError(.invalidHeader, "Content-Type '\(fields[0])' is not a media type (type/subtype; parameters)")
        }
        let json =
            (media.type == "application" && (media.subtype == "json" || media.subtype.hasSuffix("+json")))
            || (media.type == "application" && media.subtype == "x-www-form-urlencoded")
        guard json else {
            throw RestableError(.unsupportedMediaType, "the body must be JSON (Content-Type: application/json), got \(media.type)/\(media.subtype)")
        }
        for (name, value) in media.parameters where name == "charset" {
            guard ["utf-8", "utf8"].contains(value.lowercased()) else {
                throw RestableError(.unsupportedMediaType, "the body must be UTF-8 JSON, got charset \(value)")
            }
        }
    }
}

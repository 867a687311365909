import Foundation
import Hummingbird
import RestableCore

/// Reading what the client asked for from headers and the query string.
extension NativeDialect {
    /// The precondition of a write or delete: `If-Match`, else `?checksum=`, else the body's
    /// `@metadata.checksum`. `If-Match: *` and `checksum=override` bypass locking.
    static func precondition(_ request: IncomingRequest, bodyChecksum: String? = nil) throws(RestableError) -> Precondition {
        if let header = request.headers[values: .ifMatch].first {
            let tags = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard tags.count == 1, let tag = tags.first, !tag.isEmpty else {
                throw RestableError(.invalidHeader, "If-Match must hold one entity tag (the row's checksum in quotes) or *")
            }
            if tag == "*" { return .override }
            if tag.hasPrefix("W/") { return .checksum(tag) }
            let unquoted = tag.hasPrefix("\"") && tag.hasSuffix("\"") && tag.count >= 2 ? String(tag.dropFirst().dropLast()) : tag
            return .checksum(unquoted)
        }
        if let checksum = request.query["checksum"] ?? bodyChecksum {
            guard !checksum.isEmpty else { throw RestableError(.invalidQuery, "checksum must not be empty") }
            return Precondition(checksum: checksum)
        }
        return .none
    }

    /// The preferences of an RFC 7240 `Prefer` header, lower-cased (`return=minimal`).
    static func preferences(_ request: IncomingRequest) -> Set<String> {
        var preferences = Set<String>()
        for header in request.headers[values: .init("Prefer")!] {
            for part in header.split(separator: ",") {
                preferences.insert(part.trimmingCharacters(in: .whitespaces).lowercased())
            }
        }
        return preferences
    }

    /// The body as a JSON value; rejects a content type that is neither JSON nor curl's default
    /// for `-d` (form encoding, which is read as JSON too), and malformed JSON.
    static func jsonBody(_ request: IncomingRequest) throws(RestableError) -> JSON {
        try checkContentType(request)
        guard !request.body.isEmpty else { throw RestableError(.invalidBody, "the request needs a JSON body") }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw RestableError(.invalidBody, "the body is not valid JSON: \(error)")
        }
    }

    static func checkContentType(_ request: IncomingRequest) throws(RestableError) {
        guard let type = request.headers[.contentType]?.lowercased() else { return }
        let accepted = type.hasPrefix("application/json") || type.contains("+json") || type.hasPrefix("application/x-www-form-urlencoded")
        guard accepted else {
            throw RestableError(.unsupportedMediaType, "the body must be JSON (Content-Type: application/json), got \(type)")
        }
    }

    /// An integer query parameter (limit, offset), or nil if absent.
    static func integer(_ name: String, _ request: IncomingRequest) throws(RestableError) -> Int? {
        guard let text = request.query[name] else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw RestableError(.invalidQuery, "\(name) must be a whole number, zero or more; got '\(text)'")
        }
        return value
    }
}

public import RestableCore

/// Reading resource names and keys from path segments, the same way in every dialect.
public enum PathSegments {
    /// A percent-decoded segment, or `invalidKey` for a malformed escape.
    public static func decode(_ segment: String) throws(RestableError) -> String {
        guard let decoded = PercentEncoding.decode(segment) else {
            throw RestableError(.invalidKey, "the path segment '\(segment)' has a malformed percent-escape")
        }
        return decoded
    }

    /// A key segment: parts split on unencoded commas (a composite key), then each percent-decoded.
    public static func key(_ segment: String) throws(RestableError) -> KeyInput {
        var parts: [String] = []
        // Split on the comma scalar: a combining mark after a comma must not hide it.
        for part in segment.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false) {
            parts.append(try decode(String(part)))
        }
        return .parts(parts)
    }

    /// The still-encoded segments after `mountPath` in an href, whatever its scheme and host
    /// (`https://any.host/api/customer/X?y` under `/api` is `["customer", "X"]`).
    public static func under(_ mountPath: String, href: String) throws(RestableError) -> [String] {
        // Scalars, not Characters: a combining mark after `/` or `?` must not hide it.
        var path = Substring(href).unicodeScalars
        if let scheme = path.firstRange(of: "://".unicodeScalars) {
            path = path[scheme.upperBound...]
            path = path.firstIndex(of: "/").map { path[$0...] } ?? Substring("").unicodeScalars
        }
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        let prefix = (mountPath + "/").unicodeScalars
        guard path.starts(with: prefix) else { throw RestableError(.invalidKey, "href '\(href)' is not under \(mountPath)") }
        return path.dropFirst(prefix.count).split(separator: "/").map { String(String.UnicodeScalarView($0)) }
    }
}

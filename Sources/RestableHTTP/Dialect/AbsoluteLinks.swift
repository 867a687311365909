import HTTPTypes
public import RestableCore

/// Absolute links to this server (LAC's hrefs, Autotask's page and zone URLs): the scheme a
/// proxy says the client used, the host the client addressed, and a path.
extension IncomingRequest {
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    /// The scheme a proxy says the client used: one `X-Forwarded-Proto` field, `http` or
    /// `https` (any case); `http` without one. Anything else is `invalidHeader`.
    public func scheme() throws(RestableError) -> String {
        let fields = headers[values: Self.forwardedProto]
        guard !fields.isEmpty else { return "http" }
        guard fields.count == 1, ["http", "https"].contains(fields[0].lowercased()) else {
            throw RestableError(.invalidHeader, "X-Forwarded-Proto must be http or https, got '\(fields.joined(separator: ", "))'")
        }
        return fields[0].lowercased()
    }

    /// `scheme://host` followed by `path` (which starts with `/`).
    public func absoluteURL(_ path: String) throws(RestableError) -> String {
        "\(try scheme())://\(authority ?? "localhost")\(path)"
    }
}

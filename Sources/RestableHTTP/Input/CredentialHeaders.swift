public import HTTPTypes
public import RestableCore

/// The headers that carry credentials, read strictly: an `Authorization` field must be a
/// scheme and one credential; a cookie sent more than once is refused, never picked from.
enum CredentialHeaders {
    /// `scheme credentials` of an Authorization field; the credentials one token68-like word.
    static func authorization(_ field: String) throws(RestableError) -> (String, String) {
        let parts = field.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw RestableError(.unauthenticated, "the Authorization header must be a scheme and one credential, separated by a space")
        }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=:")
        guard parts[1].allSatisfy({ allowed.contains($0) }) else {
            throw RestableError(.unauthenticated, "the credential of the Authorization header holds characters no credential has")
        }
        return (String(parts[0]), String(parts[1]))
    }

    /// The value of a cookie in the Cookie header(s), if present; more than one is refused.
    static func cookie(_ name: String, in headers: HTTPFields) throws(RestableError) -> String? {
        var values: [String] = []
        for field in headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name { values.append(String(trimmed[trimmed.index(after: equals)...])) }
            }
        }
        guard values.count <= 1 else { throw RestableError(.invalidHeader, "send the \(name) cookie once") }
        return values.first
    }
}

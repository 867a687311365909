import Foundation

/// Where a PostgreSQL database is and how to reach it: a `postgres://` URL, read with libpq's
/// meaning, plus the pool's settings.
///
/// `postgres://user:password@host:port/database?sslmode=require`. The user, password and
/// database name may be percent-encoded. The query may hold `sslmode` (`disable`, `prefer`, the
/// default, `require`, `verify-ca` or `verify-full`, as libpq reads them) and `connect_timeout`
/// (seconds, as libpq reads it); anything else is refused, never ignored.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// libpq's `sslmode`.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate; plain otherwise.
        case prefer
        /// TLS or nothing, without checking the certificate.
        case require
        /// TLS, with a certificate signed by a trusted authority (any host name).
        case verifyCA = "verify-ca"
        /// TLS, with a trusted certificate for the host named in the URL.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// The schema whose tables are served (`search_path`); `public` unless set.
    public var schema: String
    /// The most connections the pool opens.
    public var poolSize: Int
    /// How long to wait for a connection (to open one, or for one to be free) before answering 503.
    public var connectTimeout: Duration
    /// The longest one statement may run before the database cancels it (0: no limit).
    public var statementTimeout: Duration

    public static let defaultPoolSize = 10
    public static let defaultConnectTimeout = Duration.seconds(10)
    public static let defaultStatementTimeout = Duration.seconds(30)

    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String, sslMode: SSLMode = .prefer,
        schema: String = "public", poolSize: Int = PostgresLocation.defaultPoolSize,
        connectTimeout: Duration = PostgresLocation.defaultConnectTimeout, statementTimeout: Duration = PostgresLocation.defaultStatementTimeout
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.schema = schema
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
    }

    /// Why a URL is not a usable PostgreSQL location. The message never repeats the password.
    public struct URLError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Whether a text is meant as a PostgreSQL URL (it may still be a malformed one).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `postgres://` or `postgresql://` URLs.
    public init(url text: String) throws(URLError) {
        guard Self.isPostgresURL(text) else { throw URLError(description: "a PostgreSQL URL starts with postgres://") }
        var rest = Substring(text.drop { $0 != ":" }.dropFirst(3))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if rest.contains("#") { throw URLError(description: "a PostgreSQL URL has no #fragment") }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.decode(credentials[..<colon], "the user name")
                password = try Self.decode(credentials[credentials.index(after: colon)...], "the password")
            } else {
                user = try Self.decode(credentials, "the user name")
            }
        }
        var host = String(rest)
        var port = 5432
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw URLError(description: "an IPv6 host must end with ]") }
            let after = host[host.index(after: close)...]
            let address = String(host[host.index(after: host.startIndex)..<close])
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else {
                    throw URLError(description: "the port must be a number from 1 to 65535")
                }
                port = number
            } else if !after.isEmpty {
                throw URLError(description: "unexpected text after the IPv6 host")
            }
            host = address
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]), (1...65535).contains(number) else {
                throw URLError(description: "the port must be a number from 1 to 65535")
            }
            port = number
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { throw URLError(description: "the URL names no host (postgres://user@HOST:5432/database)") }
        guard let user, !user.isEmpty else { throw URLError(description: "the URL names no user (postgres://USER@host:5432/database)") }
        let database = try Self.decode(path, "the database name")
        guard !database.isEmpty else { throw URLError(description: "the URL names no database (postgres://user@host:5432/DATABASE)") }
        self.init(host: host, port: port, user: user, password: password, database: database)
        var seen = Set<Substring>()
        // No query at all is no parameter (splitting "" would give one empty item).
        for item in query.isEmpty ? [] : query.split(separator: "&", omittingEmptySubsequences: false) {
            guard let equals = item.firstIndex(of: "=") else { throw URLError(description: "query item '\(item)' has no value") }
            let name = item[..<equals]
            let value = try Self.decode(item[item.index(after: equals)...], "the value of \(name)")
            guard seen.insert(name).inserted else { throw URLError(description: "\(name) is given twice") }
            switch name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw URLError(
                        description: "unknown sslmode '\(value)'; expected one of: \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "connect_timeout":
                guard let seconds = Int(value), (1...3600).contains(seconds) else {
                    throw URLError(description: "connect_timeout must be a whole number of seconds from 1 to 3600")
                }
                connectTimeout = .seconds(seconds)
            default:
                throw URLError(description: "unsupported URL parameter '\(name)'; Restable reads sslmode and connect_timeout")
            }
        }
    }

    private static func decode(_ part: Substring, _ what: String) throws(URLError) -> String {
        guard let decoded = String(part).removingPercentEncoding else { throw URLError(description: "\(what) is not valid percent-encoding") }
        return decoded
    }

    /// The URL with the password replaced by `***`: safe for a log line or an error.
    public var description: String {
        var text = "postgres://" + (user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? user)
        if password != nil { text += ":***" }
        text += "@" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)/"
        text += database.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? database
        if sslMode != .prefer { text += "?sslmode=\(sslMode.rawValue)" }
        return text
    }
}

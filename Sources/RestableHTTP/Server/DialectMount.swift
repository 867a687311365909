/// A dialect served under a path prefix (`/api`, `/rest/el-local/demo/v1`).
public struct DialectMount: Sendable {
    /// The prefix, starting with `/` and without a trailing `/`.
    public var path: String
    public var dialect: any Dialect
    /// Who may call it; nil: everyone, unrestricted.
    public var security: MountSecurity?
    /// What the mount serves, in a sentence, for its OpenAPI document.
    public var summary: String {
        let kind =
            switch dialect {
            case is NativeDialect: "the native dialect (ETag / If-Match, problem+json)"
            case is LiveAPIDialect: "the CA Live API Creator dialect"
            case is AutotaskDialect: "the Autotask dialect"
            case is BuzzDialect: "the Buzz dialect"
            default: "a dialect"
            }
        return "The tables of the database as REST resources, in " + kind + "."
    }
    /// The largest request body the mount accepts; nil: the server's maximum.
    public var maximumBodySize: Int?

    public init(path: String, dialect: any Dialect, security: MountSecurity? = nil, maximumBodySize: Int? = nil) {
        self.maximumBodySize = maximumBodySize
        self.path = path == "/" ? "" : String(path.reversed().drop { $0 == "/" }.reversed())
        self.dialect = dialect
        self.security = security
    }

    /// Whether the prefix matches in any case: Autotask's URLs are not case-sensitive, and its
    /// clients write `/ATServicesRest/V1.0` for a mount at `/atservicesrest/v1.0`.
    public var ignoresCase: Bool { dialect is AutotaskDialect }

    /// The segments after the prefix, when `path` lies under this mount.
    func segments(of requestPath: String) -> [String]? {
        let matches =
            ignoresCase
            ? requestPath.utf8.count >= path.utf8.count && requestPath.utf8.prefix(path.utf8.count).map(Self.lowered).elementsEqual(path.utf8.map(Self.lowered))
            : requestPath.hasPrefix(path)
        guard matches else { return nil }
        let rest = Substring(requestPath.utf8.dropFirst(path.utf8.count))
        guard rest.isEmpty || rest.hasPrefix("/") else { return nil }
        return rest.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// An ASCII byte in lower case (a path's letters are ASCII; other bytes stay as they are).
    static func lowered(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

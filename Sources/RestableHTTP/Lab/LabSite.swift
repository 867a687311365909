import HTTPTypes
import Hummingbird
import NIOCore
import RestableCore

/// The REST Lab at `/lab`: a page, its style sheet and script, all compiled into the binary
/// (nothing from another origin, so it works offline), and `mounts.json`, which tells the page
/// what the server serves.
///
/// `GET` and `HEAD` only (405 with `Allow` otherwise), no query string (400), 404 for any other
/// path under `/lab/`. Every answer forbids scripts, styles and connections from anywhere but
/// this origin, and inline script (``contentSecurityPolicy``).
struct LabSite: Sendable {
    /// One file of the Lab: what it is and its bytes.
    struct File: Sendable {
        var contentType: String
        var bytes: [UInt8]
    }

    let files: [String: File]

    /// The policy of every answer under `/lab`: this origin only, no inline script or style,
    /// no frames, no forms posted anywhere, no `<base>`.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    /// The Lab for a server's mounts.
    init(mounts: [DialectMount]) {
        let page = File(contentType: "text/html; charset=utf-8", bytes: Array(LabPage.html.utf8))
        files = [
            "/lab": page,
            "/lab/": page,
            "/lab/lab.css": File(contentType: "text/css; charset=utf-8", bytes: Array(LabStyle.css.utf8)),
            "/lab/lab.js": File(contentType: "text/javascript; charset=utf-8", bytes: Array(LabScript.javascript.utf8)),
            "/lab/mounts.json": File(contentType: "application/json", bytes: LabMounts.document(mounts).bytes),
        ]
    }

    /// True for `/lab` and every path under `/lab/`: the Lab answers them all.
    static func owns(_ path: String) -> Bool {
        path == "/lab" || path.hasPrefix("/lab/")
    }

    /// The route label of a path the Lab owns, for metrics: the file's own path, or
    /// `/lab/{file}` for one that does not exist (never what the client sent).
    func route(_ path: String) -> String {
        files[path] == nil ? "/lab/{file}" : (path == "/lab/" ? "/lab" : path)
    }

    /// The answer to a request for `path`, one the Lab owns.
    func answer(_ request: Request, path: String) -> Response {
        guard let file = files[path] else {
            return secured(ProblemResponse.make(RestableError(.notFound, "nothing is served at \(path)")))
        }
        guard request.method == .get || request.method == .head else {
            return secured(ProblemResponse.make(RestableError(.methodNotAllowed, "\(path) answers GET only"), allow: "GET, HEAD"))
        }
        if let query = request.uri.query, !query.isEmpty {
            return secured(ProblemResponse.make(RestableError(.invalidQuery, "\(path) takes no query parameters"), instance: path))
        }
        let response = Response(
            status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
        return secured(response)
    }

    /// `response` with the Lab's security headers.
    private func secured(_ response: Response) -> Response {
        var response = response
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "no-referrer"
        return response
    }
}

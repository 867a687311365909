public import Foundation
public import Synchronization

#if canImport(FoundationNetworking)
    public import FoundationNetworking
#endif

/// What `restable delete` does: which server and resource, how keys are grouped and handled.
public struct BulkDeleteSettings: Sendable {
    /// The native mount's URL, `http://host:port/api`.
    public var url: String
    public var resource: String
    public var chunkSize = 1_000
    public var ignoreMissing = false
    public var lenient = false
    public var dryRun = false
    /// The most rows of the resource the whole run may delete.
    public var maxAffected: Int?
    /// Credentials, as headers (`X-API-Key`, `Authorization`).
    public var headers: [(String, String)] = []
    /// How often a chunk is tried again after `503`, `429` or a lost connection.
    public var retries = 8
    /// The first pause before a retry; it doubles up to ``longestPause``.
    public var firstPause = Duration.milliseconds(500)
    public static let longestPause = Duration.seconds(30)

    public init(url: String, resource: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.resource = resource
    }

    /// What a checkpoint must match to be resumed: the options that change what a chunk does.
    public var fingerprint: String {
        "chunk=\(chunkSize) ignoreMissing=\(ignoreMissing) lenient=\(lenient) maxAffected=\(maxAffected.map(String.init) ?? "-")"
    }

    /// The collection's URL.
    var collection: String { url + "/" + Self.encodeName(resource) }

    static func encodeName(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:@")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }
}

/// Why a run stopped early: the message says what to do; `partial` when some rows went.
public struct BulkDeleteStop: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// One HTTP exchange, as the run needs it.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var retryAfter: Int?
    public var body: Data
}

/// Sends requests: URLSession for the command, something else in a test.
public protocol HTTPSender: Sendable {
    func send(method: String, url: String, headers: [(String, String)], body: Data?) async throws -> HTTPAnswer
}

/// URLSession, with a generous timeout: a chunk of many keys with cascades may take a while.
public struct SessionSender: HTTPSender {
    public init() {}

    public func send(method: String, url: String, headers: [(String, String)], body: Data?) async throws -> HTTPAnswer {
        guard let target = URL(string: url) else { throw BulkDeleteStop(message: "'\(url)' is not a URL") }
        var request = URLRequest(url: target, timeoutInterval: 600)
        request.httpMethod = method
        for (name, value) in headers { request.addValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw BulkDeleteStop(message: "\(url) did not answer with HTTP") }
        let retryAfter = (http.value(forHTTPHeaderField: "Retry-After")).flatMap { Int($0) }
        return HTTPAnswer(status: http.statusCode, retryAfter: retryAfter, body: data)
    }
}

/// The run of one `restable delete`: reads keys, deletes them a chunk a request, keeps the
/// checkpoint, and counts.
public final class BulkDeleteRun: @unchecked Sendable {
    public let settings: BulkDeleteSettings
    let sender: any HTTPSender
    let checkpointPath: String?
    /// Set by the first Ctrl-C: the run stops after the chunk in flight.
    public let stopRequested = Atomic<Bool>(false)
    /// Told after every chunk: records done, and the totals.
    public var onProgress: (Int, Totals) -> Void = { _, _ in }
    /// The run's totals once it has begun sending (those of the checkpoint it resumed,
    /// included); nil before, as when a checkpoint or the key types refuse it.
    public private(set) var totalsSoFar: Totals?
    private let runID = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    private var chunkNumber = 0

    public init(settings: BulkDeleteSettings, sender: any HTTPSender = SessionSender(), checkpoint: String?) {
        self.settings = settings
        self.sender = sender
        self.checkpointPath = checkpoint
    }

    /// The JSON type of each part of the resource's key, from the mount's OpenAPI document.
    public func keyTypes() async throws -> [KeyPartType] {
        let answer: HTTPAnswer
        do {
            answer = try await sender.send(method: "GET", url: settings.url + "/openapi.json", headers: settings.headers, body: nil)
        } catch let stop as BulkDeleteStop {
            throw stop
        } catch {
            throw BulkDeleteStop(message: "cannot reach \(settings.url): \(error.localizedDescription)")
        }
        guard answer.status == 200,
            let document = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any], let paths = document["paths"] as? [String: Any]
        else {
            throw BulkDeleteStop(
                message: "\(settings.url)/openapi.json answered \(answer.status): is \(settings.url) a native mount of a Restable server (http://host:port/api)?")
        }
        guard let path = paths["/" + BulkDeleteSettings.encodeName(settings.resource)] as? [String: Any],
            let delete = path["delete"] as? [String: Any], let body = delete["requestBody"] as? [String: Any],
            let content = body["content"] as? [String: Any], let json = content["application/json"] as? [String: Any],
            let schema = json["schema"] as? [String: Any], let items = schema["items"] as? [String: Any]
        else {
            throw BulkDeleteStop(
                message: "\(settings.url) serves no delete of '\(settings.resource)' to this caller (see \(settings.url)/openapi.json for its resources)")
        }
        func type(_ schema: [String: Any]) -> KeyPartType? {
            let names = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
            if names.contains("integer") { return .integer }
            if names.contains("number") { return .number }
            if names.contains("boolean") { return .boolean }
            if names.contains("string") { return .string }
            return nil
        }
        if let single = type(items) { return [single] }
        if let parts = (items["items"] as? [String: Any])?["oneOf"] as? [[String: Any]] {
            let types = parts.compactMap(type)
            if types.count == parts.count, !types.isEmpty { return types }
        }
        throw BulkDeleteStop(message: "the key of '\(settings.resource)' has a form this command does not read; send JSON lines (--format jsonl)")
    }

    /// Deletes every key `reader` holds, resuming from the checkpoint when there is one.
    public func run(_ reader: inout KeyReader) async throws -> (totals: Totals, records: Int, resumedFrom: Int, interrupted: Bool) {
        var checkpoint = Checkpoint(url: settings.url, resource: settings.resource, settings: settings.fingerprint)
        var digest = KeyDigest()
        var resumedFrom = 0
        if let path = checkpointPath, !settings.dryRun, let saved = try Checkpoint.load(path) {
            guard saved.url == checkpoint.url, saved.resource == checkpoint.resource, saved.settings == checkpoint.settings else {
                throw BulkDeleteStop(
                    message: "the checkpoint \(path) belongs to another command (\(saved.url), \(saved.resource), \(saved.settings)): run that one, or remove the file to start afresh")
            }
            for _ in 0..<saved.done {
                guard let key = try reader.next() else {
                    throw BulkDeleteStop(message: "the checkpoint \(path) is past the end of these keys (it has \(saved.done) done): they are not the keys it was made for")
                }
                digest.add(key.json)
            }
            guard digest.hex == saved.digest else {
                throw BulkDeleteStop(message: "the keys do not begin with the \(saved.done) the checkpoint \(path) has done: they are not the keys it was made for")
            }
            checkpoint = saved
            resumedFrom = saved.done
            if saved.finished {
                guard try reader.next() == nil else {
                    throw BulkDeleteStop(
                        message: "the checkpoint \(path) says this run finished after \(saved.done) keys, but the keys go on past them: remove it (or give another --checkpoint) to delete the others")
                }
                totalsSoFar = saved.totals
                return (saved.totals, saved.done, resumedFrom, false)
            }
        }
        var doubt = checkpoint.inDoubt
        totalsSoFar = checkpoint.totals
        defer { totalsSoFar = checkpoint.totals }
        onProgress(checkpoint.done, checkpoint.totals)
        while !stopRequested.load(ordering: .relaxed) {
            var chunk: [KeyRecord] = []
            let size = doubt ?? settings.chunkSize
            while chunk.count < size, let key = try reader.next() { chunk.append(key) }
            if chunk.isEmpty { break }
            if let path = checkpointPath, !settings.dryRun {
                checkpoint.inDoubt = chunk.count
                try checkpoint.save(path)
            }
            let resent = doubt != nil
            doubt = nil
            try await delete(chunk, resent: resent, totals: &checkpoint.totals)
            for key in chunk { digest.add(key.json) }
            checkpoint.done += chunk.count
            checkpoint.digest = digest.hex
            checkpoint.inDoubt = nil
            if let path = checkpointPath, !settings.dryRun { try checkpoint.save(path) }
            onProgress(checkpoint.done, checkpoint.totals)
        }
        let interrupted = stopRequested.load(ordering: .relaxed)
        if !interrupted, let path = checkpointPath, !settings.dryRun {
            checkpoint.finished = true
            try checkpoint.save(path)
        }
        return (checkpoint.totals, checkpoint.done, resumedFrom, interrupted)
    }

    /// Sends one chunk (again, after retries) and counts its answer.
    private func delete(_ chunk: [KeyRecord], resent: Bool, totals: inout Totals) async throws {
        var query: [String] = []
        if settings.ignoreMissing || resent { query.append("ignoredeleted") }
        if settings.dryRun { query.append("dryrun") }
        var prefer = ["return=minimal", "handling=" + (settings.lenient ? "lenient" : "strict")]
        if let most = settings.maxAffected { prefer.append("max-affected=\(max(0, most - totals.deleted))") }
        chunkNumber += 1
        let url = settings.collection + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let body = Data(("[" + chunk.map(\.json).joined(separator: ",") + "]").utf8)
        var headers = settings.headers
        headers += [("Content-Type", "application/json"), ("Prefer", prefer.joined(separator: ", ")), ("X-Request-Id", "restable-delete-\(runID)-\(chunkNumber)")]
        var answer: HTTPAnswer
        let doubtful = resent
        var attempt = 0
        var pause = settings.firstPause
        while true {
            do {
                answer = try await sender.send(method: "DELETE", url: url, headers: headers, body: body)
                if answer.status != 503, answer.status != 429 { break }
            } catch let stop as BulkDeleteStop {
                throw stop
            } catch {
                // A connection that was never made sent nothing: the chunk is tried again as it
                // is. Any other loss may come after the server committed the chunk: it is sent
                // again as one that may be done, after the pause.
                if !Self.neverSent(error), !doubtful, !query.contains("ignoredeleted") {
                    try await Task.sleep(for: pause)
                    return try await delete(chunk, resent: true, totals: &totals)
                }
                answer = HTTPAnswer(status: 0, retryAfter: nil, body: Data(String(describing: error).utf8))
            }
            attempt += 1
            guard attempt <= settings.retries else {
                throw BulkDeleteStop(message: "the server kept refusing the chunk from key \(chunk[0].record) (\(Self.describe(answer))) after \(settings.retries) retries")
            }
            let wait = answer.retryAfter.map { Duration.seconds(min($0, 300)) } ?? pause
            try await Task.sleep(for: wait)
            pause = min(pause * 2, BulkDeleteSettings.longestPause)
        }
        try count(answer, chunk: chunk, resent: doubtful, totals: &totals)
    }

    /// Adds one answer to the totals; a refusal of the request as a whole stops the run.
    private func count(_ answer: HTTPAnswer, chunk: [KeyRecord], resent: Bool, totals: inout Totals) throws {
        let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any] ?? [:]
        guard let outcome = object["outcome"] as? String else {
            throw BulkDeleteStop(message: "the chunk from key \(chunk[0].record) was refused: \(Self.describe(answer))")
        }
        var deleted = 0
        var cascaded = 0
        if let counts = object["counts"] as? [String: [String: Int]] {
            for (resource, verbs) in counts {
                if resource == settings.resource {
                    deleted += verbs["DELETE"] ?? 0
                    cascaded += verbs["UPDATE"] ?? 0
                } else {
                    cascaded += verbs.values.reduce(0, +)
                }
            }
        }
        let errors = object["errors"] as? [[String: Any]] ?? []
        let listed = errors.count
        let errorCount = (object["errorCount"] as? Int) ?? listed
        var missing = 0
        for error in errors {
            let code = error["code"] as? String ?? "unknown"
            if code == "notFound" { missing += 1 } else { totals.failed[code, default: 0] += 1 }
        }
        if errorCount > listed { totals.failed["unlisted", default: 0] += errorCount - listed }
        // A resource whose rows cascade to rows of its own counts those too: the keys' own rows
        // are at most the keys that did not fail.
        let own = min(deleted, max(0, chunk.count - errorCount))
        cascaded += deleted - own
        deleted = own
        if outcome == "none" {
            totals.heldBack += max(0, chunk.count - errorCount)
        } else {
            totals.deleted += deleted
            totals.cascaded += cascaded
            // Keys neither deleted nor failed were missing: ignored ones, or, in a chunk sent
            // again, gone already.
            let gone = max(0, chunk.count - deleted - errorCount)
            if resent { totals.alreadyGone += gone } else { missing += gone }
        }
        totals.missing += missing
    }

    /// True for a failure before any byte of the request could reach the server.
    static func neverSent(_ error: any Error) -> Bool {
        guard let error = error as? URLError else { return false }
        switch error.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet: return true
        default: return false
        }
    }

    static func describe(_ answer: HTTPAnswer) -> String {
        if answer.status == 0 { return "no answer: " + String(decoding: answer.body, as: UTF8.self) }
        let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any]
        let detail = (object?["detail"] as? String) ?? String(decoding: answer.body.prefix(300), as: UTF8.self)
        let code = object?["code"] as? String
        return "\(answer.status)" + (code.map { " \($0)" } ?? "") + ": " + detail
    }

    /// 0: every key deleted (or missing, with `ignoreMissing`); 1: some failed; 2: nothing was
    /// deleted (or could not even start).
    public static func exitStatus(_ totals: Totals, settings: BulkDeleteSettings, records: Int) -> Int32 {
        let problems = totals.failedCount + totals.heldBack + (settings.ignoreMissing ? 0 : totals.missing)
        if problems == 0 { return 0 }
        return totals.deleted + totals.alreadyGone > 0 ? 1 : 2
    }
}

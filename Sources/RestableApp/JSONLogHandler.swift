import Foundation
public import Logging
import RestableHTTP
import Synchronization

/// Writes each log entry as one JSON object on a line of standard error (`logFormat: json`):
/// `time` (UTC, milliseconds), `level`, `label`, `message`, `source`, then the entry's metadata
/// (the request's id as `request`, the caller as `principal`, ...) as members of their own. A
/// metadata key that would overwrite one of the first five is written as `metadata.KEY`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    static let fixed: Set<String> = ["time", "level", "label", "message", "source"]
    private static let standardError = Mutex(())

    /// A handler for `label` writing to standard error, or handing each line to `write`.
    public init(label: String, write: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.write =
            write ?? { line in
                // One write per line, under a lock: lines of concurrent requests never interleave.
                JSONLogHandler.standardError.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
            }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var members: [(String, JSON)] = [
            ("time", .string(Date.now.formatted(Self.timeStyle))), ("level", .string(event.level.rawValue)), ("label", .string(label)),
            ("message", .string(event.message.description)), ("source", .string(event.source)),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            members.append((Self.fixed.contains(key) ? "metadata." + key : key, Self.json(merged[key]!)))
        }
        write(JSON.object(members).text + "\n")
    }

    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    static func json(_ value: Logger.Metadata.Value) -> JSON {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let item): .string(item.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let entries): .object(entries.keys.sorted().map { ($0, json(entries[$0]!)) })
        }
    }
}

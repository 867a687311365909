import Crypto
public import Foundation

/// Where an interrupted `restable delete` stands, kept in a file after every chunk so that the
/// same command resumes after the last chunk the server answered, deleting nothing twice and
/// skipping no key.
///
/// Before a chunk is sent it is written down as in doubt; once its answer is counted the
/// checkpoint moves past it. A run stopped between the two (Ctrl-C twice, a crash, a lost
/// connection) cannot know whether the server committed that chunk, so the resumed run sends
/// it again with `?ignoredeleted`: a key that run deleted is then already gone, and counts as
/// deleted, not as missing.
public struct Checkpoint: Codable, Sendable, Equatable {
    /// What the run does: a checkpoint is only resumed by the same command on the same input.
    public var url: String
    public var resource: String
    public var settings: String
    /// How many records of the input are done (their chunks answered).
    public var done: Int
    /// The SHA-256 of the first `done` records' keys: the resumed input must begin with them.
    public var digest: String
    /// The records of the chunk sent but not answered, when there is one.
    public var inDoubt: Int?
    public var totals: Totals
    /// True once every record is done.
    public var finished: Bool

    public init(url: String, resource: String, settings: String) {
        self.url = url
        self.resource = resource
        self.settings = settings
        done = 0
        digest = KeyDigest().hex
        totals = Totals()
        finished = false
    }

    public static func load(_ path: String) throws -> Checkpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(Checkpoint.self, from: data)
    }

    /// Writes the checkpoint whole, or not at all: a new file renamed over the old one.
    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(self)
        let temporary = path + ".new"
        try data.write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

/// The counts of a run.
public struct Totals: Codable, Sendable, Equatable {
    /// Rows of the resource deleted (or, in a dry run, that would be).
    public var deleted = 0
    /// Rows other resources lost or had set to null through the deleted rows' relationships.
    public var cascaded = 0
    /// Keys that named no row.
    public var missing = 0
    /// Keys of a chunk sent again after an interruption that were gone already (deleted by the
    /// interrupted run, most likely).
    public var alreadyGone = 0
    /// Keys that failed, by error code.
    public var failed: [String: Int] = [:]
    /// Keys not deleted because another key of their chunk failed (strict handling).
    public var heldBack = 0

    public init() {}

    public var failedCount: Int { failed.values.reduce(0, +) }
}

/// A running SHA-256 of keys, one record at a time.
struct KeyDigest {
    private var hash = SHA256()

    mutating func add(_ key: String) {
        hash.update(data: Data(key.utf8))
        hash.update(data: Data([0x0a]))
    }

    var hex: String {
        hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

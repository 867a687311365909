import Synchronization

/// One row a delete touches, as a preview pins it: the resource, whether the row goes
/// (`delete`) or has a column set to null (`update`), its key, and its checksum before.
public struct PreviewEntry: Sendable, Hashable {
    public var resource: String
    public var verb: ChangeVerb
    public var key: Key
    public var checksum: String

    public init(resource: String, verb: ChangeVerb, key: Key, checksum: String) {
        self.resource = resource
        self.verb = verb
        self.key = key
        self.checksum = checksum
    }

    /// The entry as a journal row: `[resource, verb, checksum, key values...]`.
    var cells: [Value] {
        [.text(resource), .text(verb.rawValue), .text(checksum)] + key.values
    }

    init(cells: [Value]) throws(JournalCorrupt) {
        guard cells.count > 3, case .text(let resource) = cells[0], case .text(let verb) = cells[1],
            let verb = ChangeVerb(rawValue: verb), case .text(let checksum) = cells[2]
        else { throw JournalCorrupt() }
        self.init(resource: resource, verb: verb, key: Key(Array(cells[3...])), checksum: checksum)
    }

    /// Where the entry sorts in a preview: by resource, verb and the key's exact text.
    fileprivate var identity: String {
        resource + "\u{0}" + verb.rawValue + "\u{0}" + JournalCodec.encode([key.values])
    }
}

/// What a dry run of a delete touched, reduced to one tag, `P:` and 32 hex digits: a 128-bit
/// FNV-1a hash over every row the delete would remove or detach, each with its key and
/// checksum, in a fixed order. Like a row's ``Checksum``, it detects change; it is not a
/// security measure (the checksums it covers are not either). The same delete sent later with
/// `If-Match` naming the tag commits only when it touches exactly those rows, each unchanged.
public struct Preview: Sendable, Hashable {
    /// The rows, sorted by resource, verb and key.
    public let entries: [PreviewEntry]
    /// `P:` and 32 lowercase hex digits.
    public let tag: String

    public init(_ entries: [PreviewEntry]) {
        let sorted = entries.map { ($0.identity, $0) }.sorted { $0.0 < $1.0 }
        var hash: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
        func feed(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt128(byte)
                hash = hash &* 0x0000_0000_0100_0000_0000_0000_0000_013b
            }
        }
        for (identity, entry) in sorted {
            feed(identity.utf8)
            feed(CollectionOfOne(0))
            feed(entry.checksum.utf8)
            feed(CollectionOfOne(0x0a))
        }
        let hex = String(hash, radix: 16)
        self.entries = sorted.map(\.1)
        self.tag = "P:" + String(repeating: "0", count: 32 - hex.count) + hex
    }

    /// True when `text` has the shape of a preview tag (`P:` and 32 lowercase hex digits).
    public static func isTag(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 34, bytes.starts(with: Array("P:".utf8)) else { return false }
        return bytes[2...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// How this preview differs from what a delete touches now: the rows it would touch that
    /// the preview did not list (`added`), those listed that it would not touch (`removed`),
    /// and those whose checksum or verb is not the previewed one (`changed`).
    func differences(from now: Preview) -> [PreviewDifference] {
        var then: [String: PreviewEntry] = [:]
        for entry in entries { then[entry.resource + "\u{0}" + JournalCodec.encode([entry.key.values])] = entry }
        var found: [PreviewDifference] = []
        var seen = Set<String>()
        for entry in now.entries {
            let id = entry.resource + "\u{0}" + JournalCodec.encode([entry.key.values])
            seen.insert(id)
            guard let old = then[id] else {
                found.append(PreviewDifference(.added, entry, "\(entry.resource) \(entry.key) would be \(entry.verb.touched) but was not in the preview"))
                continue
            }
            if old.verb != entry.verb {
                found.append(PreviewDifference(.changed, entry, "\(entry.resource) \(entry.key) was to be \(old.verb.touched) and would now be \(entry.verb.touched)"))
            } else if old.checksum != entry.checksum {
                found.append(PreviewDifference(.changed, entry, "\(entry.resource) \(entry.key) has changed since the preview (checksum \(old.checksum), now \(entry.checksum))"))
            }
        }
        for entry in entries where !seen.contains(entry.resource + "\u{0}" + JournalCodec.encode([entry.key.values])) {
            found.append(PreviewDifference(.removed, entry, "\(entry.resource) \(entry.key) was in the preview but would not be \(entry.verb.touched) now"))
        }
        return found
    }
}

/// One row in which a delete differs from its preview.
public struct PreviewDifference: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// The delete would touch a row the preview did not list.
        case added
        /// The preview listed a row that the delete would not touch (gone, or no longer reached).
        case removed
        /// The row has changed since the preview, or would be touched otherwise.
        case changed
    }

    public var kind: Kind
    public var resource: String
    public var key: Key
    public var message: String

    init(_ kind: Kind, _ entry: PreviewEntry, _ message: String) {
        self.kind = kind
        self.resource = entry.resource
        self.key = entry.key
        self.message = message
    }
}

extension ChangeVerb {
    /// The verb as a past participle in messages: deleted, or set to null.
    fileprivate var touched: String {
        switch self {
        case .delete: "deleted"
        case .trash: "put in the trash"
        case .update, .insert: "detached (set to null)"
        }
    }
}

/// Collects, in one transaction, the rows a delete touches, for its ``Preview``: a reference,
/// as the delete's paths pass it down and each adds what it removed or detached.
final class PreviewCapture: Sendable {
    private let entries = Mutex<[PreviewEntry]>([])

    func add(_ verb: ChangeVerb, _ rows: [Row], of resource: Resource) {
        let added = rows.map { row in
            PreviewEntry(resource: resource.name, verb: verb, key: row.key(in: resource), checksum: Checksum.of(row, in: resource))
        }
        entries.withLock { $0 += added }
    }

    /// Forgets what was added: a transaction run again starts from nothing.
    func reset() {
        entries.withLock { $0.removeAll() }
    }

    var preview: Preview { Preview(entries.withLock { $0 }) }
}

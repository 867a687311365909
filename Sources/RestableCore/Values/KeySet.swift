/// A set of keys that stays small for the common case: single integer keys are kept as bare
/// `Int64`s (about 16 bytes each instead of an array per key), so that a request of a million
/// keys can remember which it has handled.
///
/// Integer keys inserted in ascending order (as bulk jobs usually send them) are kept in a
/// sorted array, which costs no hashing; the first one out of order moves them into the set.
public struct KeySet: Sendable {
    /// Integer keys inserted so far, while each was greater than the one before (else empty).
    private var ascending: [Int64] = []
    private var integers = Set<Int64>()
    private var others = Set<Key>()

    public init() {}

    public func contains(_ key: Key) -> Bool {
        if key.values.count == 1, case .integer(let value) = key.values[0] {
            return integers.contains(value) || Self.search(ascending, value)
        }
        return others.contains(key)
    }

    /// Inserts `key`; true when it was not there yet.
    @discardableResult
    public mutating func insert(_ key: Key) -> Bool {
        if key.values.count == 1, case .integer(let value) = key.values[0] {
            if integers.isEmpty {
                if ascending.last.map({ value > $0 }) ?? true {
                    ascending.append(value)
                    return true
                }
                integers.reserveCapacity(ascending.count * 2)
                integers.formUnion(ascending)
                ascending = []
            }
            return integers.insert(value).inserted
        }
        return others.insert(key).inserted
    }

    private static func search(_ sorted: [Int64], _ value: Int64) -> Bool {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == value
    }

    public var count: Int { ascending.count + integers.count + others.count }
    public var isEmpty: Bool { count == 0 }
}

/// A dictionary keyed by ``Key``, compact for single integer keys as ``KeySet`` is.
struct KeyMap<Element: Sendable>: Sendable {
    private(set) var integers: [Int64: Element] = [:]
    private(set) var others: [Key: Element] = [:]

    subscript(key: Key) -> Element? {
        get {
            if key.values.count == 1, case .integer(let value) = key.values[0] { return integers[value] }
            return others[key]
        }
        set {
            if key.values.count == 1, case .integer(let value) = key.values[0] {
                integers[value] = newValue
            } else {
                others[key] = newValue
            }
        }
    }

    subscript(key: Key, default fallback: @autoclosure () -> Element) -> Element {
        get { self[key] ?? fallback() }
        set { self[key] = newValue }
    }

    var count: Int { integers.count + others.count }
    var isEmpty: Bool { count == 0 }

    /// Calls `body` with every entry, in no particular order, building each key only then.
    func forEach(_ body: (Key, Element) -> Void) {
        for (int, element) in integers { body(Key([.integer(int)]), element) }
        for (key, element) in others { body(key, element) }
    }

    /// Every key, compactly, in no particular order (to be read in chunks for statements).
    var keys: CompactKeys {
        CompactKeys(integers: Array(integers.keys), others: Array(others.keys))
    }

    func mapValues<T: Sendable>(_ transform: (Element) -> T) -> KeyMap<T> {
        var mapped = KeyMap<T>()
        mapped.integers = integers.mapValues(transform)
        mapped.others = others.mapValues(transform)
        return mapped
    }

    /// The entries whose key passes `isIncluded`.
    func filter(_ isIncluded: (Key) -> Bool) -> KeyMap {
        var kept = KeyMap()
        kept.integers = integers.filter { isIncluded(Key([.integer($0.key)])) }
        kept.others = others.filter { isIncluded($0.key) }
        return kept
    }

    /// Every entry, in no particular order.
    var entries: [(Key, Element)] {
        integers.map { (Key([.integer($0.key)]), $0.value) } + others.map { ($0.key, $0.value) }
    }
}

/// Keys held compactly (single integer keys as bare `Int64`s) and read a chunk at a time, so that
/// a statement's key list for a million rows is never built at once.
struct CompactKeys: Sendable {
    private var integers: [Int64]
    private var others: [Key]

    init(integers: [Int64] = [], others: [Key] = []) {
        self.integers = integers
        self.others = others
    }

    init(_ keys: [Key]) {
        self.init()
        for key in keys { append(key) }
    }

    mutating func append(_ key: Key) {
        if key.values.count == 1, case .integer(let value) = key.values[0] {
            integers.append(value)
        } else {
            others.append(key)
        }
    }

    var count: Int { integers.count + others.count }
    var isEmpty: Bool { count == 0 }

    /// The values of the keys at `range` (positions count integers first, then the others).
    func values(_ range: Range<Int>) -> [[Value]] {
        range.map { index in index < integers.count ? [.integer(integers[index])] : others[index - integers.count].values }
    }

    /// The keys' values in chunks of at most `size`.
    func chunks(of size: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }
}

/// A set of keys that stays small for the common case: single integer keys are kept as bare
/// `Int64`s (about 16 bytes each instead of an array per key), so that a request of a million
/// keys can remember which it has handled.
public struct KeySet: Sendable {
    private var integers = Set<Int64>()
    private var others = Set<Key>()

    public init() {}

    public func contains(_ key: Key) -> Bool {
        if key.values.count == 1, case .integer(let value) = key.values[0] { return integers.contains(value) }
        return others.contains(key)
    }

    /// Inserts `key`; true when it was not there yet.
    @discardableResult
    public mutating func insert(_ key: Key) -> Bool {
        if key.values.count == 1, case .integer(let value) = key.values[0] {
            return integers.insert(value).inserted
        }
        return others.insert(key).inserted
    }

    public var count: Int { integers.count + others.count }
    public var isEmpty: Bool { count == 0 }
}

/// A dictionary keyed by ``Key``, compact for single integer keys as ``KeySet`` is.
struct KeyMap<Element: Sendable>: Sendable {
    private var integers: [Int64: Element] = [:]
    private var others: [Key: Element] = [:]

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

    /// Every key's values, in no particular order (for a statement's key list).
    var keyValues: [[Value]] {
        var values: [[Value]] = []
        values.reserveCapacity(count)
        for int in integers.keys { values.append([.integer(int)]) }
        for key in others.keys { values.append(key.values) }
        return values
    }

    /// Every entry, in no particular order.
    var entries: [(Key, Element)] {
        integers.map { (Key([.integer($0.key)]), $0.value) } + others.map { ($0.key, $0.value) }
    }
}

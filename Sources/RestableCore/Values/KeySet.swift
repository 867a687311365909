/// A set of keys that stays small for the common case: single integer keys are kept as bare
/// `Int64`s (about 16 bytes each instead of an array per key), so that a request of a million
/// keys can remember which it has handled.
struct KeySet: Sendable {
    private var integers = Set<Int64>()
    private var others = Set<Key>()

    func contains(_ key: Key) -> Bool {
        if key.values.count == 1, case .integer(let value) = key.values[0] { return integers.contains(value) }
        return others.contains(key)
    }

    mutating func insert(_ key: Key) {
        if key.values.count == 1, case .integer(let value) = key.values[0] {
            integers.insert(value)
        } else {
            others.insert(key)
        }
    }
}

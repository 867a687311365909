public import RestableCore

/// When a long key list is split into several SELECTs, their results are merged here: rows that
/// several chunks returned appear once, ordered by key as one statement would, and the limit and
/// offset apply to the whole (they are left out of the chunked statements).
public enum ChunkMerging {
    public static func merge(_ rows: [Row], of resource: Resource, limit: Int?, offset: Int?) -> [Row] {
        var seen = Set<Key>()
        let unique = rows.filter { seen.insert($0.key(in: resource)).inserted }
        let sorted = unique.sorted { precedes($0.key(in: resource).values, $1.key(in: resource).values) }
        let start = min(offset ?? 0, sorted.count)
        let end = limit.map { min(start + $0, sorted.count) } ?? sorted.count
        return Array(sorted[start..<end])
    }

    /// SQL's ascending order: nulls first, then numbers, then text (by UTF-8 bytes), column by column.
    static func precedes(_ left: [Value], _ right: [Value]) -> Bool {
        for (a, b) in zip(left, right) {
            if a == b { continue }
            return precedes(a, b)
        }
        return left.count < right.count
    }

    static func precedes(_ a: Value, _ b: Value) -> Bool {
        switch (number(a), number(b)) {
        case (let x?, let y?): return x < y
        case (.some, nil): return !b.isNull
        case (nil, .some): return a.isNull
        default: break
        }
        switch (a, b) {
        case (.null, _): return true
        case (_, .null): return false
        case (.text(let x), .text(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        default: return false
        }
    }

    private static func number(_ value: Value) -> Double? {
        switch value {
        case .integer(let int): Double(int)
        case .real(let double): double
        case .boolean(let bool): bool ? 1 : 0
        default: nil
        }
    }
}

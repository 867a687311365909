public import RestableCore

/// When a long key list is split into several SELECTs, their results are merged here: rows that
/// several chunks returned appear once, in the order one statement would give (by key, or by
/// `order`, which ends with the key), and the limit and offset apply to the whole (they are left
/// out of the chunked statements).
public enum ChunkMerging {
    public static func merge(_ rows: [Row], of resource: Resource, order: [SortKey] = [], limit: Int?, offset: Int?) -> [Row] {
        var seen = Set<Key>()
        let unique = rows.filter { seen.insert($0.key(in: resource)).inserted }
        let sorted =
            order.isEmpty
            ? unique.sorted { Key.precedes($0.key(in: resource), $1.key(in: resource)) }
            : unique.sorted { precedes($0, $1, in: order) }
        let start = min(max(offset ?? 0, 0), sorted.count)
        let available = sorted.count - start
        let end = start + min(max(limit ?? available, 0), available)
        return Array(sorted[start..<end])
    }

    /// True when `left` comes before `right` in `order` (nulls first ascending, last descending).
    static func precedes(_ left: Row, _ right: Row, in order: [SortKey]) -> Bool {
        for key in order {
            let a = left[key.column]
            let b = right[key.column]
            if ValueOrder.precedes(a, b) { return !key.descending }
            if ValueOrder.precedes(b, a) { return key.descending }
        }
        return false
    }
}

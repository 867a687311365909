public import RestableCore

/// When a long key list is split into several SELECTs, their results are merged here: rows that
/// several chunks returned appear once, ordered by key as one statement would, and the limit and
/// offset apply to the whole (they are left out of the chunked statements).
public enum ChunkMerging {
    public static func merge(_ rows: [Row], of resource: Resource, limit: Int?, offset: Int?) -> [Row] {
        var seen = Set<Key>()
        let unique = rows.filter { seen.insert($0.key(in: resource)).inserted }
        let sorted = unique.sorted { Key.precedes($0.key(in: resource), $1.key(in: resource)) }
        let start = min(max(offset ?? 0, 0), sorted.count)
        let available = sorted.count - start
        let end = start + min(max(limit ?? available, 0), available)
        return Array(sorted[start..<end])
    }
}

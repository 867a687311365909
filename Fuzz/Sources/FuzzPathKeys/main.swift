import RestableCore
@testable import RestableHTTP

/// Keys in paths. Invariants: never traps; a key segment has one part per unencoded comma
/// byte, plus one; its parts, percent-encoded and joined with commas, read back the same;
/// PathSegments.under splits an href on `/` bytes only, after the mount path.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = text(data, size) else { return 0 }

    if case .parts(let parts)? = try? PathSegments.key(input) {
        let commas = input.utf8.filter { $0 == UInt8(ascii: ",") }.count
        require(parts.count == commas + 1, "'\(show(input))' has \(commas) commas but \(parts.count) parts")
        let written = parts.map { PercentEncoding.encode($0) }.joined(separator: ",")
        require((try? PathSegments.key(written)) == .parts(parts), "parts of '\(show(input))' written as '\(written)' read back differently")
        require((try? PathSegments.decode(input)) != nil, "a key segment decodes but the whole segment does not")
    }

    if let segments = try? PathSegments.under("/api", href: input) {
        for segment in segments {
            require(!segment.isEmpty && !segment.utf8.contains(UInt8(ascii: "/")), "segment '\(show(segment))' holds a slash")
            require(!segment.utf8.contains(UInt8(ascii: "?")), "segment '\(show(segment))' holds the query")
        }
        // The reference, on bytes: drop scheme and host, then the query, then the mount path.
        var path = Array(input.utf8)
        if let scheme = find(Array("://".utf8), in: path) {
            path = Array(path[(scheme + 3)...])
            path = path.firstIndex(of: UInt8(ascii: "/")).map { Array(path[$0...]) } ?? []
        }
        if let query = path.firstIndex(of: UInt8(ascii: "?")) { path = Array(path[..<query]) }
        let prefix = Array("/api/".utf8)
        require(path.starts(with: prefix), "'\(show(input))' accepted but not under /api/")
        let expected = path.dropFirst(prefix.count).split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
        require(segments == expected, "'\(show(input))' split as \(segments), expected \(expected)")
    }
    return 0
}

func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle { return start }
    return nil
}

import HTTPTypes
@testable import RestableHTTP

/// `If-Match` / `If-None-Match`: the input is one or more fields separated by newlines.
/// Invariants: never traps; an accepted list of tags holds only etagc characters, and written
/// back (`W/"..."`, comma-separated) parses to the same condition, in one field or in several.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = text(data, size) else { return 0 }
    var headers = HTTPFields()
    for field in input.split(separator: "\n", omittingEmptySubsequences: false) {
        headers.append(HTTPField(name: .ifMatch, value: String(field)))
    }
    guard let condition = try? EntityTagCondition.parse(headers, .ifMatch) else { return 0 }
    guard case .tags(let tags) = condition else { return 0 }
    require(!tags.isEmpty, "an empty list of tags was accepted")
    for tag in tags {
        require(
            tag.opaque.utf8.allSatisfy { $0 == 0x21 || (0x23...0x7E).contains($0) || $0 >= 0x80 },
            "tag '\(show(tag.opaque))' holds a character that is not etagc")
    }
    let written = tags.map { ($0.weak ? "W/" : "") + "\"\($0.opaque)\"" }
    let joined: HTTPFields = [.ifMatch: written.joined(separator: ", ")]
    var separate = HTTPFields()
    for tag in written { separate.append(HTTPField(name: .ifMatch, value: tag)) }
    for fields in [joined, separate] {
        let again = try? EntityTagCondition.parse(fields, .ifMatch)
        require(again == condition, "'\(show(input))' written as \(written) parses as \(String(describing: again))")
    }
    return 0
}

@testable import RestableHTTP

/// JSONParser on arbitrary bytes. Invariants: it never traps; an accepted text is UTF-8; a
/// failure's offset lies inside the text; an accepted value serializes to compact JSON that
/// parses back to the same value and serializes to the same bytes again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let value: JSON
    do {
        value = try JSONParser.parse(input)
    } catch {
        require(error.offset >= 0 && error.offset <= input.count, "failure offset \(error.offset) outside \(input.count) bytes")
        return 0
    }
    require(String(validating: input, as: UTF8.self) != nil, "accepted a text that is not UTF-8")
    let serialized = value.bytes
    let again: JSON
    do {
        again = try JSONParser.parse(serialized)
    } catch {
        require(false, "serialized value does not parse: \(error): \(show(String(decoding: serialized, as: UTF8.self)))")
        return 0
    }
    require(again == value, "round trip changed the value: \(show(value.text)) became \(show(again.text))")
    require(again.bytes == serialized, "serialization is not stable: \(show(value.text))")
    return 0
}

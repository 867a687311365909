@testable import RestableHTTP

/// QueryItems(parsing:) and PercentEncoding on arbitrary UTF-8 text. Invariants: never traps;
/// the items are exactly the non-empty `&`-separated pieces of the bytes, each split at its first
/// `=` byte; items written back percent-encoded parse to the same items; decode(encode(x)) == x;
/// flag/single/count agree with how many times a name is given and with StrictValue.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = text(data, size) else { return 0 }

    let roundTrip = PercentEncoding.decode(PercentEncoding.encode(input))
    require(roundTrip == input, "decode(encode(x)) is not x for '\(show(input))'")
    if let decoded = PercentEncoding.decode(input) {
        require(!input.utf8.contains(UInt8(ascii: "%")) ? decoded == input : true, "decode changed text without escapes")
        require(PercentEncoding.decode(PercentEncoding.encode(decoded)) == decoded, "decode(encode(decode(x))) is not decode(x)")
    }

    guard let query = try? QueryItems(parsing: input) else { return 0 }
    // The reference: the same split, on bytes.
    let pieces = input.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
    require(pieces.count == query.items.count, "'\(show(input))' has \(pieces.count) pieces but \(query.items.count) items")
    for (piece, item) in zip(pieces, query.items) {
        let name: Substring.UTF8View.SubSequence
        var value: Substring.UTF8View.SubSequence?
        if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
            name = piece[..<equals]
            value = piece[piece.index(after: equals)...]
        } else {
            name = piece
        }
        require(PercentEncoding.decode(String(decoding: name, as: UTF8.self)) == item.name, "item name differs from the byte split")
        require(value.map { PercentEncoding.decode(String(decoding: $0, as: UTF8.self)) } == item.value.map { $0 }, "item value differs")
    }

    let written = query.items.map { item in
        PercentEncoding.encode(item.name) + (item.value.map { "=" + PercentEncoding.encode($0) } ?? "")
    }.joined(separator: "&")
    let again = try? QueryItems(parsing: written)
    require(again?.items == query.items, "'\(show(input))' written as '\(show(written))' parses differently")

    for name in Set(query.items.map(\.name)) {
        let given = query.items.filter { $0.name == name }
        let single = try? query.single(name)
        let flag = try? query.flag(name)
        let count = try? query.count(name)
        if given.count > 1 {
            require(single == nil && flag == nil && count == nil, "the repeated option '\(show(name))' was read")
            continue
        }
        let value = given[0].value
        require(single == .some(value ?? ""), "single(\(show(name))) is not the value")
        let expectedFlag: Bool? = value.map { StrictValue.boolean($0) } ?? true
        require(flag == expectedFlag, "flag(\(show(name))) disagrees with StrictValue")
        require(count == StrictValue.count(value ?? "").map { $0 }, "count(\(show(name))) disagrees with StrictValue")
        if let number = count ?? nil {
            require(number >= 0 && (value ?? "").utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "count(\(show(name))) read \(number)")
        }
    }
    return 0
}

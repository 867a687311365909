import RestableCore
@testable import RestableHTTP

/// The native filter syntax (`column=op.value`). Invariants: never traps; the operation read
/// matches the bytes before the first `.` (an operator, `in` with a parenthesized list, `is`
/// with null/notnull, anything else equality on the whole text); an `in` list written back with
/// every item quoted reads back to the same items.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = text(data, size) else { return 0 }
    let bytes = Array(input.utf8)
    let dot = bytes.firstIndex(of: UInt8(ascii: "."))
    let head = dot.map { String(decoding: bytes[..<$0], as: UTF8.self) }
    let rest = dot.map { Array(bytes[($0 + 1)...]) } ?? []

    let filter: FilterInput
    do {
        filter = try FilterSyntax.filter(column: "c", input)
    } catch {
        // Only a malformed `in.` list or `is.` operand is refused.
        require(head == "in" || head == "is", "'\(show(input))' refused: \(error)")
        return 0
    }
    require(filter.column == "c", "column changed")
    switch filter.operation {
    case .compare(let op):
        if let head, let expected = ComparisonOperator(rawValue: head) {
            require(op == expected && texts(filter) == [String(decoding: rest, as: UTF8.self)], "'\(show(input))' misread as \(op)")
        } else {
            require(op == .eq && texts(filter) == [input], "'\(show(input))' is not equality on the whole text")
            require(head != "in" && head != "is", "'\(show(input))' read as equality")
        }
    case .isNull(let isNull):
        require(head == "is" && rest == Array((isNull ? "null" : "notnull").utf8), "'\(show(input))' misread as is.null")
    case .noneOf, .matches:
        require(false, "'\(show(input))' read as an operation the native syntax does not write")
    case .oneOf:
        require(head == "in" && rest.first == UInt8(ascii: "(") && rest.last == UInt8(ascii: ")"), "'\(show(input))' misread as a list")
        let written = "in.(" + texts(filter).map(quote).joined(separator: ",") + ")"
        let again = try? FilterSyntax.filter(column: "c", written)
        require(again == filter, "items \(texts(filter).map(show)) written as '\(show(written))' read back as \(String(describing: again))")
        // An empty list is written `in.()`; a list of one empty item `in.("")`.
        if filter.operands.isEmpty { require(rest == Array("()".utf8), "no items from '\(show(input))'") }
    }
    return 0
}

/// The operands as the text the syntax read (it reads text only; a value would be a bug).
func texts(_ filter: FilterInput) -> [String] {
    filter.operands.map { operand in
        guard case .text(let text) = operand else {
            require(false, "the native syntax read a typed operand")
            return ""
        }
        return text
    }
}

func quote(_ item: String) -> String {
    var text = "\""
    for scalar in item.unicodeScalars {
        if scalar == "\"" || scalar == "\\" { text.append("\\") }
        text.unicodeScalars.append(scalar)
    }
    return text + "\""
}

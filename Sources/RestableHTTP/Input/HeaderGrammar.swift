/// The pieces of RFC 9110's field grammar that the header parsers share: tokens, quoted
/// strings, optional whitespace, and comma-separated lists (whose empty elements are skipped).
struct HeaderScanner {
    private let bytes: [UInt8]
    private(set) var index = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    var atEnd: Bool { index >= bytes.count }

    var peek: UInt8? { atEnd ? nil : bytes[index] }

    mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 { index += 1 }
    }

    /// Consumes `byte` if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// `tchar`: `!#$%&'*+-.^_`|~`, digits and letters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// A token (one or more tchars), or nil if none comes next.
    mutating func token() -> String? {
        let start = index
        while let byte = peek, Self.isTokenByte(byte) { index += 1 }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    /// A quoted string's content, with `\x` pairs unescaped; nil if no quote comes next or it
    /// is unterminated or holds a control character.
    mutating func quotedString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var content: [UInt8] = []
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: content, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = peek, escaped == 0x09 || escaped >= 0x20, escaped != 0x7F else { return nil }
                content.append(escaped)
                index += 1
            case 0x09, 0x20...0x7E, 0x80...0xFF:
                content.append(byte)
            default:
                return nil
            }
        }
        return nil
    }

    /// `token / quoted-string`.
    mutating func word() -> String? {
        peek == UInt8(ascii: "\"") ? quotedString() : token()
    }

    /// Skips the separators between list elements; true if at least one comma was passed or
    /// the text ended.
    mutating func skipListSeparators() -> Bool {
        skipWhitespace()
        var passed = false
        while take(UInt8(ascii: ",")) {
            passed = true
            skipWhitespace()
        }
        return passed || atEnd
    }
}

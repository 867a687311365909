/// The journal's text for rows of values: exact for every ``Value``, on every store.
///
/// A JSON array of rows, each an array of cells; a cell is `null` or a string whose first
/// character says the kind of value: `i` an integer, `r` a real (Swift's shortest text that
/// reads back to the same double), `d` a decimal, `t` text, `b` a boolean (`b1`, `b0`). Tagged
/// strings rather than JSON numbers, so that no reader rounds a value on the way back.
public enum JournalCodec {
    /// The text of `rows`.
    public static func encode(_ rows: [[Value]]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 32)
        out.append(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            for (position, value) in row.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                switch value {
                case .null: out.append(contentsOf: "null".utf8)
                case .integer(let number): string("i", String(number), into: &out)
                case .real(let number): string("r", String(number), into: &out)
                case .decimal(let number): string("d", number.text, into: &out)
                case .text(let text): string("t", text, into: &out)
                case .boolean(let flag): string("b", flag ? "1" : "0", into: &out)
                }
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func string(_ tag: Character, _ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(tag.asciiValue!)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xf)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The rows of a text that ``encode(_:)`` wrote; throws ``JournalCorrupt`` for anything else.
    public static func decode(_ text: String) throws(JournalCorrupt) -> [[Value]] {
        var reader = Reader(bytes: Array(text.utf8))
        var rows: [[Value]] = []
        try reader.expect(UInt8(ascii: "["))
        if try reader.peek() == UInt8(ascii: "]") {
            reader.index += 1
        } else {
            repeat {
                rows.append(try reader.row())
            } while try reader.separator(closing: UInt8(ascii: "]"))
        }
        guard reader.index == reader.bytes.count else { throw JournalCorrupt() }
        return rows
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        func peek() throws(JournalCorrupt) -> UInt8 {
            guard index < bytes.count else { throw JournalCorrupt() }
            return bytes[index]
        }

        mutating func expect(_ byte: UInt8) throws(JournalCorrupt) {
            guard try peek() == byte else { throw JournalCorrupt() }
            index += 1
        }

        /// After an element: true at a comma, false at `closing` (both consumed).
        mutating func separator(closing: UInt8) throws(JournalCorrupt) -> Bool {
            let byte = try peek()
            index += 1
            if byte == UInt8(ascii: ",") { return true }
            guard byte == closing else { throw JournalCorrupt() }
            return false
        }

        mutating func row() throws(JournalCorrupt) -> [Value] {
            try expect(UInt8(ascii: "["))
            var values: [Value] = []
            if try peek() == UInt8(ascii: "]") {
                index += 1
                return values
            }
            repeat {
                values.append(try cell())
            } while try separator(closing: UInt8(ascii: "]"))
            return values
        }

        mutating func cell() throws(JournalCorrupt) -> Value {
            if try peek() == UInt8(ascii: "n") {
                guard index + 4 <= bytes.count, bytes[index..<index + 4].elementsEqual("null".utf8) else { throw JournalCorrupt() }
                index += 4
                return .null
            }
            try expect(UInt8(ascii: "\""))
            let tag = try peek()
            index += 1
            var text: [UInt8] = []
            while true {
                let byte = try peek()
                index += 1
                if byte == UInt8(ascii: "\"") { break }
                guard byte == UInt8(ascii: "\\") else {
                    text.append(byte)
                    continue
                }
                let escaped = try peek()
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
                case UInt8(ascii: "n"): text.append(0x0a)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "r"): text.append(0x0d)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, let code = UInt8(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                        code < 0x20
                    else { throw JournalCorrupt() }
                    index += 4
                    text.append(code)
                default: throw JournalCorrupt()
                }
            }
            let body = String(decoding: text, as: UTF8.self)
            switch tag {
            case UInt8(ascii: "i"):
                guard let number = Int64(body) else { throw JournalCorrupt() }
                return .integer(number)
            case UInt8(ascii: "r"):
                guard let number = Double(body) else { throw JournalCorrupt() }
                return .real(number)
            case UInt8(ascii: "d"):
                guard let number = DecimalNumber(body) else { throw JournalCorrupt() }
                return .decimal(number)
            case UInt8(ascii: "t"): return .text(body)
            case UInt8(ascii: "b"):
                guard body == "0" || body == "1" else { throw JournalCorrupt() }
                return .boolean(body == "1")
            default: throw JournalCorrupt()
            }
        }
    }
}

/// A journal entry whose text ``JournalCodec`` did not write.
public struct JournalCorrupt: Error, Sendable {}

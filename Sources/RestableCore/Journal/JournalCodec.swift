/// The journal's text for rows of values: exact for every ``Value``, on every store.
///
/// A JSON array of rows, each an array of cells; a cell is `null` or a string whose first
/// character says the kind of value: `i` an integer, `r` a real (Swift's shortest text that
/// reads back to the same double), `d` a decimal, `t` text, `b` a boolean (`b1`, `b0`). Tagged
/// strings rather than JSON numbers, so that no reader rounds a value on the way back.
public enum JournalCodec {
    /// The text of `rows`.
    public static func encode(_ rows: [[Value]]) -> String {
        var writer = Writer(capacity: rows.count * 32)
        for row in rows {
            writer.startRow()
            for value in row { writer.append(value) }
        }
        return writer.text
    }

    /// Writes the text of rows a cell at a time, so that a store can journal the rows it reads
    /// without first making ``Value``s and ``Row``s of them. The text is the one
    /// ``encode(_:)`` writes for the same cells.
    public struct Writer: Sendable {
        private var out: [UInt8] = [UInt8(ascii: "[")]
        private var rowOpen = false
        private var cellsInRow = 0
        /// How many rows were started.
        public private(set) var rowCount = 0

        public init(capacity: Int = 64) {
            out.reserveCapacity(capacity)
        }

        /// Starts the next row; its cells follow.
        public mutating func startRow() {
            if rowOpen { out.append(UInt8(ascii: "]")) }
            if rowCount > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            rowOpen = true
            cellsInRow = 0
            rowCount += 1
        }

        private mutating func separate() {
            if cellsInRow > 0 { out.append(UInt8(ascii: ",")) }
            cellsInRow += 1
        }

        /// Appends one cell to the current row.
        public mutating func append(_ value: Value) {
            switch value {
            case .null: appendNull()
            case .integer(let number): appendInteger(number)
            case .real(let number): appendTagged("r", String(number).utf8)
            case .decimal(let number): appendTagged("d", number.text.utf8)
            case .text(let text): appendTagged("t", text.utf8)
            case .boolean(let flag): appendTagged("b", (flag ? "1" : "0").utf8)
            }
        }

        /// A null cell.
        public mutating func appendNull() {
            separate()
            out.append(contentsOf: "null".utf8)
        }

        /// An integer cell, its digits written straight into the text.
        public mutating func appendInteger(_ number: Int64) {
            separate()
            // `"i`, an optional minus, at most 19 digits and `"`: 23 bytes at most.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
                var end = 24
                buffer[end - 1] = UInt8(ascii: "\"")
                end -= 1
                var magnitude = number.magnitude
                repeat {
                    end -= 1
                    buffer[end] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                if number < 0 {
                    end -= 1
                    buffer[end] = UInt8(ascii: "-")
                }
                buffer[end - 1] = UInt8(ascii: "i")
                buffer[end - 2] = UInt8(ascii: "\"")
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[(end - 2)...]))
            }
        }

        /// A text cell from its UTF-8 bytes (the caller has checked that they are UTF-8).
        public mutating func appendText(_ bytes: UnsafeRawBufferPointer) {
            separate()
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: "t"))
            if bytes.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                out.append(contentsOf: bytes)
                out.append(UInt8(ascii: "\""))
            } else {
                escape(bytes)
            }
        }

        private mutating func appendTagged(_ tag: Unicode.Scalar, _ bytes: some Sequence<UInt8>) {
            separate()
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: tag))
            escape(bytes)
        }

        /// The bytes of a string cell, escaped, and its closing quote.
        private mutating func escape(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case 0..<0x20:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(Writer.hex[Int(byte >> 4)])
                    out.append(Writer.hex[Int(byte & 0xf)])
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }

        private static let hex = Array("0123456789abcdef".utf8)

        /// The text of every row written.
        public var text: String {
            var bytes = out
            if rowOpen { bytes.append(UInt8(ascii: "]")) }
            bytes.append(UInt8(ascii: "]"))
            return String(decoding: bytes, as: UTF8.self)
        }
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

/// Reads the elements of a top-level JSON array one at a time, so that a body of a million
/// keys is never held as one parsed tree.
public struct JSONArrayReader: Sendable {
    private var parser: JSONParser
    private var count = 0
    private var finished = false

    /// Fails unless the text starts with `[`.
    public init(_ bytes: [UInt8]) throws(JSONParser.Failure) {
        parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "[") else {
            throw parser.failure("expected a JSON array")
        }
        // The array itself counts towards the depth limit, as in JSONParser.parse.
        try parser.nest()
        parser.index += 1
    }

    /// The next element, or nil after the closing `]` (which must end the text).
    public mutating func next() throws(JSONParser.Failure) -> JSON? {
        guard !finished else { return nil }
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { throw parser.failure("unexpected end of input") }
        if parser.bytes[parser.index] == UInt8(ascii: "]") {
            parser.index += 1
            parser.skipWhitespace()
            guard parser.index == parser.bytes.count else { throw parser.failure("unexpected text after the JSON value") }
            finished = true
            return nil
        }
        if count > 0 {
            guard parser.bytes[parser.index] == UInt8(ascii: ",") else { throw parser.failure("expected ',' or ']'") }
            parser.index += 1
            parser.skipWhitespace()
        }
        count += 1
        return try parser.value()
    }

    /// How many elements have been read.
    public var elementsRead: Int { count }
}

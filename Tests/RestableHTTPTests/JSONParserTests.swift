import RestableCore
import Foundation
@testable import RestableHTTP
import Testing

/// JSONParser and JSONArrayReader, directly; and JSONParser against Foundation's JSONSerialization.
@Suite struct JSONParserTests {
    static func parse(_ text: String) -> JSON? { try? JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [
        ("0", JSON.integer(0)), ("-0", .integer(0)), ("-0.0", .number(0)),
        ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
        ("9.223372036854776e18", .number(DecimalNumber("9223372036854776000")!)), ("-1e18", .number(DecimalNumber("-1000000000000000000")!)),
        ("1.0", .number(1)), ("1E2", .number(100)), ("1e+2", .number(100)), ("1e-2", .number(0.01)),
        ("1.7976931348623157e308", .number(DecimalNumber("17976931348623157" + String(repeating: "0", count: 292))!)),
        ("5e-324", .number(DecimalNumber("0." + String(repeating: "0", count: 323) + "5")!)),
        ("9223372036854775808", .number(DecimalNumber("9223372036854775808")!)),
        ("0.30000000000000004", .number(DecimalNumber("0.30000000000000004")!)), ("12.50", .number(12.5)),
        (#""\u00e9\ud83d\ude00""#, .string("é😀")), (#""\u0000""#, .string("\u{0}")), (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{c}\n\r\t")),
        (" \t\r\n[ ] ", .array([])), (#"{"a":{"b":[true,false,null]}}"#, .object([("a", .object([("b", .array([.bool(true), .bool(false), .null]))]))])),
        ("\"\u{7F}\"", .string("\u{7F}")),
    ])
    func accepts(_ text: String, _ expected: JSON) throws {
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value == expected)
        #expect(try JSONParser.parse(value.bytes) == value)
    }

    @Test(arguments: [
        "", " ", "01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "1e1000", "-1e1000", "1e-1000",
        "NaN", "Infinity", "tru", "nul", "True", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "'a'", "[1]x", "1 2",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u12\"", "\"\\x\"", "\"a", "\"\u{1}\"", "\"\t\"", "\"\n\"",
        "{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":{\"c\":1,\"c\":1}}", "{\"\\u0061\":1,\"a\":2}", "{\"\u{e9}\":1,\"e\u{301}\":2}",
        "\u{FEFF}[1]", "[\u{A0}]", "1e-99999999999",
    ])
    func refuses(_ text: String) {
        #expect(Self.parse(text) == nil, "\(text.debugDescription)")
    }

    @Test func refusesInvalidUTF8AndBytesOutsideStrings() {
        for bytes: [UInt8] in [[0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xFF, 0x22], [0x31, 0x00], [0x5B, 0x00, 0x5D], [0xEF, 0xBB, 0xBF, 0x31]] {
            #expect((try? JSONParser.parse(bytes)) == nil, "\(bytes)")
        }
    }

    @Test func reportsTheOffsetOfTheFailure() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array("[1,]".utf8)) }
        do { _ = try JSONParser.parse(Array(#"{"a":1,"a":2}"#.utf8)) } catch { #expect(error.offset == 7) }
        do { _ = try JSONParser.parse(Array("[1] x".utf8)) } catch { #expect(error.offset == 4) }
    }

    @Test func depthLimitIs512() {
        func nested(_ n: Int) -> [UInt8] { Array((String(repeating: "[", count: n) + String(repeating: "]", count: n)).utf8) }
        #expect((try? JSONParser.parse(nested(512))) != nil)
        #expect((try? JSONParser.parse(nested(513))) == nil)
        #expect((try? JSONParser.parse(nested(100_000))) == nil)
    }

    static func readAll(_ text: String) -> [JSON]? {
        do {
            var reader = try JSONArrayReader(Array(text.utf8))
            var elements: [JSON] = []
            while let element = try reader.next() { elements.append(element) }
            #expect(reader.elementsRead == elements.count)
            return elements
        } catch { return nil }
    }

    @Test func arrayReaderAgreesWithTheParser() {
        #expect(Self.readAll(" [ 1 , {\"a\":[2]} ] ") == [.integer(1), .object([("a", .array([.integer(2)]))])])
        #expect(Self.readAll("[]") == [])
        for refused in ["", "{}", "1", "[1,]", "[,1]", "[1 2]", "[1]x", "[1", "[[1]", "[{\"a\":1,\"a\":1}]"] {
            #expect(Self.readAll(refused) == nil, "\(refused)")
        }
    }

    /// Regression (found by FuzzJSONArrayReader's invariant): the reader did not count the
    /// top-level array towards the depth limit, so it accepted 513 levels that JSONParser refuses.
    @Test func arrayReaderCountsTheOuterArrayTowardsTheDepthLimit() {
        func nested(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        #expect(Self.readAll(nested(512)) != nil)
        #expect(Self.readAll(nested(513)) == nil)
    }
}

/// JSONParser against Foundation's JSONSerialization (with .fragmentsAllowed) on a corpus of
/// tricky texts and on seeded random JSON-ish byte strings. They must agree on accepting and on
/// the value, except for these deliberate differences, where Foundation is the lenient one:
///
/// 1. Repeated member names: refused (Foundation keeps the last). That includes names that are
///    equal as Swift Strings (canonically equivalent: `"é"` and `"e\u0301"`), which Foundation
///    merges into one dictionary key too.
/// 2. A trailing comma (`[1,]`, `{"a":1,}`): refused, as RFC 8259 says; Foundation accepts it.
/// 3. Encodings: only UTF-8 without a BOM (RFC 8259 §8.1). Foundation detects a BOM and
///    UTF-16/32 by NUL bytes, so it reads `1\0` as UTF-16 "1"; texts with a BOM or a NUL byte are
///    compared only on our side (we refuse every one outside a string).
///    Foundation even accepts an out-of-range number (`1e400`) when a repeated member later
///    overwrites it, though it refuses `1e400` alone; we refuse both.
/// 4. Numbers are exact decimals: every digit is kept (`12345678901234567890`, `1e-400`), and the
///    values are compared through the nearest double, which is what Foundation gives. So we also
///    read numbers beyond a double's range (`1e400`), which Foundation refuses; and we refuse a
///    number of more than 1,000 digits (`1e-1000`), which Foundation rounds to 0.
@Suite struct JSONDifferentialTests {
    enum Verdict: Equatable { case refused, accepted }

    static let corpus: [String] = [
        "0", "-0", "-0.0", "1", "-1", "1.5", "1e5", "1E-5", "1.5e+3", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "123456789012345678901234567890", "100000000000000000000.0", "1e308", "1e309", "1e-400", "-1e-400", "4.9e-324",
        "01", "1.", ".1", "+1", "--1", "-", "1e", "0e0", "0.0e-0", "true", "false", "null", "tru", "nulll",
        "\"\"", "\"a\"", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\uD800\\uDBFF\"", "\"\\/\"", "\"\\'\"",
        "\"\u{1}\"", "\"\u{1F}\"", "\"\u{7F}\"", "\"é\"", "[]", "{}", "[1,2,3]", "[1,,2]", "[,]", "{\"a\":}", "{\"a\"}", "{,}",
        "{\"a\":1}", "{\"a\":1,\"b\":[{}]}", " [ 1 ] ", "[1]]", "[[1]", "{\"a\":1}}", "\u{C}1", "[1]\u{B}", "\"\\u00\"",
        "[true false]", "{\"a\":1 \"b\":2}", "[\"a\",\"b\"]", "{\"\":0}", "[-]", "[0-1]", "[1e1.5]", "[0.]", "[00]",
        "[1,]", "{\"a\":1,}", "[[1,],]", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}", "{\"\\u0061\":1,\"a\":2}",
        "{\"\\u00e9\":1,\"e\\u0301\":2}", "\u{FEFF}[1]", "\u{FEFF}1",
    ]

    static let alphabet: [[UInt8]] = [
        "[", "]", "{", "}", ",", ":", "\"", "\\", "u", "0", "1", "9", "-", "+", ".", "e", "E", " ", "\n", "t", "r", "n", "f", "a", "l", "s",
        "true", "null", "\"a\"", "\"a\":", "\\u00e9", "\\ud83d", "\\ude00", "é", "1e400", "9223372036854775808",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0x01], [0x7F], [0xE2, 0x82, 0xAC]]

    /// A small, fixed-seed generator (SplitMix64), so that every run tests the same cases.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Random values written as JSON (mostly valid), then sometimes damaged.
    static func randomText(_ random: inout Generator, depth: Int = 0) -> [UInt8] {
        switch random.below(depth > 3 ? 5 : 8) {
        case 0: return Array(["true", "false", "null"][random.below(3)].utf8)
        case 1: return Array(String(Int64(bitPattern: random.next()) >> random.below(64)).utf8)
        case 2: return Array(["0.5", "-0", "1e3", "2.5E-3", "1e-400", "12345678901234567890", "-0.0", "3.0"][random.below(8)].utf8)
        case 3, 4:
            var s: [UInt8] = [0x22]
            for _ in 0..<random.below(4) { s += [Array("a".utf8), Array("\\n".utf8), Array("\\u00e9".utf8), Array("é".utf8), Array("\\\"".utf8)][random.below(5)] }
            return s + [0x22]
        case 5: return [0x5B] + (0..<random.below(4)).map { _ in randomText(&random, depth: depth + 1) }.joined(separator: [0x2C]) + [0x5D]
        default:
            return [0x7B] + (0..<random.below(4)).map { i in Array("\"k\(random.below(4) == 0 ? 0 : i)\":".utf8) + randomText(&random, depth: depth + 1) }.joined(separator: [0x2C]) + [0x7D]
        }
    }

    static func cases() -> [[UInt8]] {
        var random = Generator(state: 8)
        var all = corpus.map { Array($0.utf8) } + [[0x31, 0x00], [0x5B, 0x31, 0x5D, 0x00], [0x00, 0x31], [0xFE, 0xFF, 0x00, 0x31]]
        for _ in 0..<2500 {  // random token soup
            all.append((0..<random.below(8) + 1).flatMap { _ in alphabet[random.below(alphabet.count)] })
        }
        for _ in 0..<2500 {  // random JSON, damaged one time in three
            var text = randomText(&random)
            if random.below(3) == 0, !text.isEmpty {
                let at = random.below(text.count)
                switch random.below(3) {
                case 0: text.remove(at: at)
                case 1: text.insert(contentsOf: alphabet[random.below(alphabet.count)], at: at)
                default: text[at] = alphabet[random.below(alphabet.count)][0]
                }
            }
            all.append(text)
        }
        return all
    }

    /// Whether Foundation's value is ours.
    static func same(_ ours: JSON, _ theirs: Any) -> Bool {
        switch ours {
        case .null: return theirs is NSNull
        case .bool(let b):
            guard let n = theirs as? NSNumber, String(cString: n.objCType) == "c" else { return false }
            return n.boolValue == b
        case .integer(let i):
            guard let n = theirs as? NSNumber, String(cString: n.objCType) != "c" else { return false }
            if theirs is NSDecimalNumber { return n.stringValue == String(i) }
            return "qilsQ".contains(String(cString: n.objCType)) && n.int64Value == i
        case .number(let decimal):
            guard let n = theirs as? NSNumber, String(cString: n.objCType) != "c" else { return false }
            let d = decimal.doubleValue
            if theirs is NSDecimalNumber || String(cString: n.objCType) == "Q" {
                return abs(n.doubleValue - d) <= abs(d) * 1e-15
            }
            return n.doubleValue == d
        case .string(let s):
            guard let t = theirs as? String else { return false }
            return Array(s.unicodeScalars) == Array(t.unicodeScalars)
        case .array(let elements):
            guard let t = theirs as? [Any], t.count == elements.count else { return false }
            return zip(elements, t).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let t = theirs as? [String: Any], t.count == members.count else { return false }
            return members.allSatisfy { name, value in t[name].map { same(value, $0) } ?? false }
        }
    }

    /// Which deliberate difference (see the suite's comment) explains Foundation accepting a text we refuse.
    static func deliberate(_ bytes: [UInt8], _ theirs: Any) -> Bool {
        do { _ = try JSONParser.parse(bytes) } catch {
            if error.reason.hasPrefix("number out of range") { return true }  // 4: numbers
        }
        if bytes.contains(0) || bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            return true  // 3: encodings
        }
        // 1 and 2: with repeated names or trailing commas removed, we accept what Foundation read.
        let text = String(decoding: bytes, as: UTF8.self)
        let untrailed = text.replacing(/,(\s*[\]}])/) { $0.output.1 }
        if untrailed != text, let ours = try? JSONParser.parse(Array(untrailed.utf8)), same(ours, theirs) { return true }
        return hasRepeatedName(bytes)
    }

    /// Whether a value holds a number beyond a double's range (difference 4).
    static func beyondDoubles(_ value: JSON) -> Bool {
        switch value {
        case .number(let decimal): !decimal.doubleValue.isFinite
        case .array(let elements): elements.contains(where: beyondDoubles)
        case .object(let members): members.contains { beyondDoubles($0.1) }
        default: false
        }
    }

    /// Whether some object in the text repeats a member name (by Swift String equality).
    /// Foundation also accepts a number out of range (`1e400`) that a repeated member later
    /// overwrites (it refuses `1e400` alone): such a number is replaced with 0 and the text read again.
    static func hasRepeatedName(_ bytes: [UInt8]) -> Bool {
        do { _ = try JSONParser.parse(bytes) } catch {
            if error.reason.hasPrefix("number out of range") {
                var end = error.offset + 1
                while end < bytes.count, Array("0123456789+-.eE".utf8).contains(bytes[end]) { end += 1 }
                var replaced = bytes
                replaced.replaceSubrange(error.offset..<end, with: [UInt8(ascii: "0")])
                return hasRepeatedName(replaced)
            }
            return error.reason.contains("is repeated in one object")
        }
        return false
    }

    @Test func agreesWithFoundation() throws {
        let all = Self.cases()
        var disagreements: [String] = []
        var deliberate = 0
        for bytes in all {
            let ours = try? JSONParser.parse(bytes)
            let theirs = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            let shown = String(decoding: bytes, as: UTF8.self).debugDescription
            switch (ours, theirs) {
            case (let ours?, let theirs?):
                if !Self.same(ours, theirs) { disagreements.append("different values for \(shown): \(ours.text) vs \(theirs)") }
            case (nil, let theirs?):
                if Self.deliberate(bytes, theirs) { deliberate += 1 } else { disagreements.append("only Foundation accepts \(shown)") }
            case (let ours?, nil):
                if Self.beyondDoubles(ours) { deliberate += 1 } else { disagreements.append("only JSONParser accepts \(shown)") }
            case (nil, nil):
                break
            }
        }
        print("JSONDifferentialTests: \(all.count) cases, \(deliberate) deliberate differences, \(disagreements.count) disagreements")
        #expect(all.count > 3000)
        #expect(deliberate > 0)
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(all.count): \(disagreements.prefix(10).joined(separator: "\n"))")
    }
}

extension JSONParserTests {
    /// Every number keeps its digits: nothing is rounded to a double on the way in or out.
    @Test(arguments: [
        ("0.1", "0.1"), ("-0.0", "0"), ("1e-5", "0.00001"), ("120.50", "120.5"), ("0.30000000000000004", "0.30000000000000004"),
        ("12345678901234567890", "12345678901234567890"), ("12.345678901234567890", "12.34567890123456789"),
        ("9007199254740993.0", "9007199254740993"), ("1e30", "1000000000000000000000000000000"), ("-1.5E+2", "-150"),
    ])
    func numbersKeepTheirDigits(text: String, canonical: String) throws {
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value.text == canonical)
    }

    @Test(arguments: ["1e1000", "-1e1000", "1e-1000", "1" + String(repeating: "0", count: 1000)])
    func numbersOfMoreThanAThousandDigitsAreRefused(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }
}

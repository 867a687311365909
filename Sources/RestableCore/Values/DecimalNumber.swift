/// An exact decimal number, as a `decimal` column holds it (PostgreSQL `numeric`): never a binary
/// floating-point approximation. `0.3` is 0.3, `12.50` is 12.5, and 30 significant digits stay 30.
///
/// It keeps one canonical text: an optional `-`, the integer digits without leading zeros (`0`
/// when there are none), and a fraction without trailing zeros, never an exponent: `12.50`,
/// `1.25e1` and `0012.5` are all `12.5`, and zero is `0`. Two numbers are equal exactly when their
/// canonical texts are, so the text is what a checksum hashes and what a store binds.
public struct DecimalNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The canonical text (see the type's documentation).
    public let text: String

    /// The most digits a canonical text may have: enough for any real amount, and a bound on the
    /// memory a number like `1e1000000` would otherwise take.
    public static let maximumDigits = 1_000

    /// Parses a decimal numeral: `-`? digits, an optional fraction and an optional exponent
    /// (`12.50`, `.5` is refused, `1e-3`, `+1` is refused). Nil when the text is not one, or when
    /// its canonical form would have more than ``maximumDigits`` digits.
    public init?(_ numeral: some StringProtocol) {
        guard let parts = Self.parts(of: Array(numeral.utf8)) else { return nil }
        guard let text = Self.canonical(negative: parts.negative, digits: parts.digits, pointAt: parts.pointAt) else { return nil }
        self.text = text
    }

    public init(_ integer: Int64) {
        text = String(integer)
    }

    /// The decimal that a double prints as when printed shortest (the digits that read back as the
    /// same double): `0.1` is 0.1, not 0.1000000000000000055511151231257827.
    public init?(_ double: Double) {
        guard double.isFinite else { return nil }
        self.init(double.description)
    }

    public var description: String { text }

    public var isNegative: Bool { text.hasPrefix("-") }

    /// The integer it is, when it has no fraction and fits 64 bits.
    public var integerValue: Int64? {
        text.contains(".") ? nil : Int64(text)
    }

    /// The nearest double.
    public var doubleValue: Double { Double(text) ?? .nan }

    /// The double that holds exactly this number's printed value (its shortest printing is this
    /// text), or nil when a double would come back as another number.
    public var exactDouble: Double? {
        let double = doubleValue
        return DecimalNumber(double) == self ? double : nil
    }

    public static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// The sign of `lhs - rhs`.
    public static func compare(_ lhs: DecimalNumber, _ rhs: DecimalNumber) -> Int {
        if lhs == rhs { return 0 }
        switch (lhs.isNegative, rhs.isNegative) {
        case (true, false): return -1
        case (false, true): return 1
        case (true, true): return -magnitudeCompare(lhs.text.utf8.dropFirst(), rhs.text.utf8.dropFirst())
        case (false, false): return magnitudeCompare(lhs.text.utf8[...], rhs.text.utf8[...])
        }
    }

    /// Compares two unsigned canonical texts: more integer digits is larger, then digit by digit.
    private static func magnitudeCompare(_ a: Substring.UTF8View, _ b: Substring.UTF8View) -> Int {
        let aInteger = a.prefix { $0 != UInt8(ascii: ".") }
        let bInteger = b.prefix { $0 != UInt8(ascii: ".") }
        if aInteger.count != bInteger.count { return aInteger.count < bInteger.count ? -1 : 1 }
        let aDigits = a.filter { $0 != UInt8(ascii: ".") }
        let bDigits = b.filter { $0 != UInt8(ascii: ".") }
        for (x, y) in zip(aDigits, bDigits) where x != y { return x < y ? -1 : 1 }
        if aDigits.count == bDigits.count { return 0 }
        return aDigits.count < bDigits.count ? -1 : 1
    }

    /// The sign, every digit (integer part then fraction), and where the point goes (the number
    /// of digits before it, which the exponent moves and which may fall outside the digits).
    private static func parts(of bytes: [UInt8]) -> (negative: Bool, digits: [UInt8], pointAt: Int)? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var digits: [UInt8] = []
        while index < bytes.count, isDigit(bytes[index]) {
            digits.append(bytes[index])
            index += 1
        }
        guard !digits.isEmpty else { return nil }
        var pointAt = digits.count
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let before = digits.count
            while index < bytes.count, isDigit(bytes[index]) {
                digits.append(bytes[index])
                index += 1
            }
            guard digits.count > before else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0
            var exponentDigits = 0
            while index < bytes.count, isDigit(bytes[index]) {
                // Saturate: anything this large is beyond maximumDigits, unless every digit is zero.
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 1_000_000_000)
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { return nil }
            pointAt += exponentNegative ? -exponent : exponent
        }
        guard index == bytes.count else { return nil }
        return (negative, digits, pointAt)
    }

    private static func canonical(negative: Bool, digits: [UInt8], pointAt: Int) -> String? {
        guard let first = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }) else { return "0" }
        let last = digits.lastIndex { $0 != UInt8(ascii: "0") }!
        // Significant digits digits[first...last]; the point sits after `pointAt` digits of `digits`.
        let integerCount = pointAt - first
        let significant = digits[first...last]
        let length = max(integerCount, 1) + max(0, significant.count - integerCount) + (integerCount < 0 ? -integerCount : 0)
        guard length <= maximumDigits else { return nil }
        var text: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if integerCount <= 0 {
            text.append(UInt8(ascii: "0"))
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -integerCount))
            text.append(contentsOf: significant)
        } else if integerCount >= significant.count {
            text.append(contentsOf: significant)
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: integerCount - significant.count))
        } else {
            text.append(contentsOf: significant.prefix(integerCount))
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: significant.dropFirst(integerCount))
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

extension DecimalNumber: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int64) {
        self.init(value)
    }

    /// A literal such as `12.5`, through the double it denotes (so at most 17 significant digits).
    public init(floatLiteral value: Double) {
        self = DecimalNumber(value) ?? DecimalNumber(0)
    }
}

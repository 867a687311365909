/// SQL's ascending order of values, the one the stores sort by: nulls first, then numbers
/// (integers, decimals and reals compared exactly, booleans as 0 and 1), then text by UTF-8 bytes.
public enum ValueOrder {
    /// True when `left` sorts before `right`, column by column.
    public static func precedes(_ left: [Value], _ right: [Value]) -> Bool {
        for (a, b) in zip(left, right) where a != b {
            if precedes(a, b) { return true }
            if precedes(b, a) { return false }
        }
        return left.count < right.count
    }

    public static func precedes(_ a: Value, _ b: Value) -> Bool {
        switch (rank(a), rank(b)) {
        case let (x, y) where x != y: return x < y
        case (1, 1): return numberPrecedes(a, b)
        case (2, 2):
            guard case .text(let x) = a, case .text(let y) = b else { return false }
            return x.utf8.lexicographicallyPrecedes(y.utf8)
        default: return false
        }
    }

    private static func rank(_ value: Value) -> Int {
        switch value {
        case .null: 0
        case .integer, .real, .decimal, .boolean: 1
        case .text: 2
        }
    }

    private enum Number {
        case integer(Int64)
        case real(Double)
        case decimal(DecimalNumber)
    }

    private static func number(_ value: Value) -> Number {
        switch value {
        case .integer(let int): .integer(int)
        case .real(let double): .real(double)
        case .decimal(let decimal): .decimal(decimal)
        case .boolean(let bool): .integer(bool ? 1 : 0)
        default: .integer(0)
        }
    }

    private static func numberPrecedes(_ a: Value, _ b: Value) -> Bool {
        switch (number(a), number(b)) {
        case (.integer(let x), .integer(let y)): x < y
        case (.real(let x), .real(let y)): x < y
        case (.integer(let x), .real(let y)): compare(x, y) < 0
        case (.real(let x), .integer(let y)): compare(y, x) > 0
        case (.decimal(let x), .decimal(let y)): x < y
        case (.decimal(let x), .integer(let y)): x < DecimalNumber(y)
        case (.integer(let x), .decimal(let y)): DecimalNumber(x) < y
        // A real beside a decimal compares as the decimal it prints as.
        case (.decimal(let x), .real(let y)): DecimalNumber(y).map { x < $0 } ?? (y == .infinity)
        case (.real(let x), .decimal(let y)): DecimalNumber(x).map { $0 < y } ?? (x == -.infinity)
        }
    }

    /// The sign of `int - double`, exactly (a 64-bit integer need not be a double).
    static func compare(_ int: Int64, _ double: Double) -> Int {
        if double.isNaN { return 1 }
        if double >= 9_223_372_036_854_775_808.0 { return -1 }
        if double < -9_223_372_036_854_775_808.0 { return 1 }
        let floor = double.rounded(.down)
        let whole = Int64(floor)
        if int < whole { return -1 }
        if int > whole { return 1 }
        return double > floor ? -1 : 0
    }
}

extension Key {
    /// SQL's order of keys (see ``ValueOrder``).
    public static func precedes(_ left: Key, _ right: Key) -> Bool {
        ValueOrder.precedes(left.values, right.values)
    }
}

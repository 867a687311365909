import RestableCore
import Testing

/// Values reach a column exactly or not at all: nothing is rounded, clamped or converted from text.
@Suite struct ValueCoercionTests {
    @Test(arguments: [Int64(1) << 53, -(Int64(1) << 53), 0, 42])
    func integersADoubleHoldsExactlyBecomeReals(value: Int64) throws {
        #expect(try ColumnType.real.coerce(.integer(value), column: "x") == .real(Double(value)))
    }

    @Test(arguments: [(Int64(1) << 53) + 1, Int64.max, Int64.min + 1, 0, 42])
    func everyIntegerIsAnExactDecimal(value: Int64) throws {
        #expect(try ColumnType.decimal.coerce(.integer(value), column: "x") == .decimal(DecimalNumber(value)))
    }

    @Test(arguments: [(Int64(1) << 53) + 1, Int64.max, Int64.min + 1])
    func largerIntegersAreRefusedByRealsNotRounded(value: Int64) {
        #expect(throws: RestableError.self) { try ColumnType.real.coerce(.integer(value), column: "x") }
    }

    /// A real column takes a decimal only when the double prints back as the same digits.
    @Test func decimalsBecomeRealsOnlyWhenExact() throws {
        #expect(try ColumnType.real.coerce(.decimal(DecimalNumber("0.1")!), column: "x") == .real(0.1))
        #expect(throws: RestableError.self) { try ColumnType.real.coerce(.decimal(DecimalNumber("0.10000000000000000555")!), column: "x") }
        #expect(throws: RestableError.self) { try ColumnType.real.coerce(.decimal(DecimalNumber("1e400")!), column: "x") }
        #expect(try ColumnType.integer.coerce(.decimal(DecimalNumber("1e2")!), column: "x") == .integer(100))
        #expect(throws: RestableError.self) { try ColumnType.integer.coerce(.decimal(DecimalNumber("1.5")!), column: "x") }
        #expect(throws: RestableError.self) { try ColumnType.integer.coerce(.decimal(DecimalNumber("9223372036854775808")!), column: "x") }
    }

    @Test func realsBecomeIntegersOnlyWhenWholeAndInRange() throws {
        #expect(try ColumnType.integer.coerce(.real(100), column: "x") == .integer(100))
        #expect(throws: RestableError.self) { try ColumnType.integer.coerce(.real(1.5), column: "x") }
        #expect(throws: RestableError.self) { try ColumnType.integer.coerce(.real(9.3e18), column: "x") }
        #expect(throws: RestableError.self) { try ColumnType.integer.coerce(.text("5"), column: "x") }
    }

    @Test func keysOutOfRangeAreRefused() {
        #expect(ColumnType.integer.parse("9223372036854775807") == .integer(.max))
        #expect(ColumnType.integer.parse("9223372036854775808") == nil)
        #expect(ColumnType.real.parse("1e400") == nil)
        #expect(ColumnType.text.parse("a\u{0}b") == .text("a\u{0}b"))
    }

    /// 64-bit keys are compared exactly when chunked reads are merged (they used to be compared as doubles).
    @Test func keysSortExactly() {
        let big = Int64(1) << 53
        #expect(ValueOrder.precedes(.integer(big), .integer(big + 1)))
        #expect(!ValueOrder.precedes(.integer(big + 1), .integer(big)))
        #expect(ValueOrder.precedes(.integer(big), .real(Double(big) + 2)))
        #expect(ValueOrder.precedes(.real(0.5), .integer(1)))
        #expect(ValueOrder.precedes(.integer(Int64.max), .real(1e19)))
        #expect(ValueOrder.precedes(.null, .integer(Int64.min)))
        #expect(ValueOrder.precedes(.integer(Int64.max), .text("")))
        #expect(ValueOrder.precedes(.text("B"), .text("a")))
    }
}

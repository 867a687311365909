import RestableCore
import Testing

/// Exact decimals and canonical timestamps: the values that must come back the same on every store.
@Suite struct DecimalNumberTests {
    @Test(arguments: [
        ("0", "0"), ("-0", "0"), ("-0.000", "0"), ("12.50", "12.5"), ("0012.5", "12.5"), ("1e-3", "0.001"), ("1.5E+3", "1500"),
        ("-0.05", "-0.05"), ("123456789012345678901234567890", "123456789012345678901234567890"), ("1.000e0", "1"),
        ("0.30000000000000004", "0.30000000000000004"), ("9223372036854775808", "9223372036854775808"),
    ])
    func numeralsHaveOneCanonicalText(numeral: String, canonical: String) throws {
        #expect(try #require(DecimalNumber(numeral)).text == canonical)
    }

    @Test(arguments: ["", "-", ".5", "5.", "+1", "1e", "1e+", "0x10", "1,5", " 1", "1 ", "NaN", "Infinity", "1e1000", "1e-1000", "1_000"])
    func otherTextsAreNotDecimals(text: String) {
        #expect(DecimalNumber(text) == nil)
    }

    @Test func doublesBecomeTheDigitsTheyPrintAs() {
        #expect(DecimalNumber(Double(0.1))?.text == "0.1")
        #expect(DecimalNumber(0.1 + 0.2)?.text == "0.30000000000000004")
        #expect(DecimalNumber(Double(1e-7))?.text == "0.0000001")
        #expect(DecimalNumber(Double.infinity) == nil)
        #expect(DecimalNumber("0.1")?.exactDouble == 0.1)
        #expect(DecimalNumber("0.10000000000000000555")?.exactDouble == nil)
    }

    @Test func orderIsByValue() throws {
        let sorted = ["-100", "-2.5", "-2.25", "0", "0.001", "0.3", "0.30000000000000004", "9", "10", "10.5", "123456789012345678901234567890"]
        let numbers = try sorted.map { try #require(DecimalNumber($0)) }
        #expect(numbers.shuffled().sorted() == numbers)
        #expect(ValueOrder.precedes(.decimal(numbers[4]), .integer(1)))
        #expect(ValueOrder.precedes(.integer(9), .decimal(numbers[9])))
        #expect(ValueOrder.precedes(.real(0.2), .decimal(numbers[5])))
    }

    /// A decimal hashes as the real that prints the same did, so stored checksums kept their value.
    @Test func aDecimalHasTheChecksumOfTheRealItReplaced() {
        let resource = Resource(name: "r", key: ["id"], columns: [Column(name: "id", type: .integer), Column(name: "amount", type: .decimal)])
        for (real, decimal) in [(18.5, "18.5"), (100.0, "100"), (0.1, "0.1")] {
            #expect(
                Checksum.of(Row(["id": .integer(1), "amount": .real(real)]), in: resource)
                    == Checksum.of(Row(["id": .integer(1), "amount": .decimal(DecimalNumber(decimal)!)]), in: resource))
        }
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-12-02T23:07:55Z", "2026-12-02T23:07:55.000000Z"), ("2026-12-02 23:07:55.5+01:00", "2026-12-02T22:07:55.500000Z"),
        ("2024-02-29t00:00:00.123456z", "2024-02-29T00:00:00.123456Z"), ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000000Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z"), ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
        ("2000-03-01T10:00:00-05:30", "2000-03-01T15:30:00.000000Z"),
    ])
    func rfc3339TimesHaveOneCanonicalText(text: String, canonical: String) {
        #expect(Timestamp.canonical(text) == canonical)
    }

    @Test(arguments: [
        "", "2026-12-02", "2026-12-02T23:07Z", "2026-12-02T23:07:55", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-12-02T24:00:00Z", "2026-12-02T23:07:60Z", "2026-12-02T23:07:55.1234567Z", "2026-12-02T23:07:55.Z",
        "2026-12-02T23:07:55+0100", "26-12-02T23:07:55Z", "2026-12-02T23:07:55Z ", "1900-02-29T00:00:00Z",
    ])
    func otherTextsAreRefused(text: String) {
        #expect(Timestamp.canonical(text) == nil)
    }

    @Test func microsecondsRoundTrip() throws {
        for text in ["1970-01-01T00:00:00.000000Z", "1969-12-31T23:59:59.999999Z", "2000-01-01T00:00:00.000001Z", "0001-01-01T00:00:00.000000Z"] {
            let micros = try #require(Timestamp.microseconds(text))
            #expect(Timestamp.format(micros) == text)
        }
        #expect(Timestamp.microseconds("1970-01-01T00:00:01.000000Z") == 1_000_000)
        #expect(Timestamp.microseconds("1969-12-31T23:59:59.999999Z") == -1)
    }

    @Test func aTimestampColumnTakesTextAndKeepsTheCanonicalForm() throws {
        #expect(try ColumnType.timestamp.coerce(.text("2026-12-02T23:07:55+00:00"), column: "at") == .text("2026-12-02T23:07:55.000000Z"))
        #expect(throws: RestableError.self) { try ColumnType.timestamp.coerce(.text("yesterday"), column: "at") }
        #expect(throws: RestableError.self) { try ColumnType.timestamp.coerce(.integer(1_700_000_000), column: "at") }
        #expect(ColumnType.timestamp.parse("2026-12-02T23:07:55Z") == .text("2026-12-02T23:07:55.000000Z"))
    }
}

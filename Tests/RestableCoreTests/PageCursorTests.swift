@testable import RestableCore
import Testing

/// Which values a keyset cursor may carry: only those the database compares as it ordered
/// them; a page whose last row holds another is linked by offset instead.
@Suite struct PageCursorTests {
    @Test func aCursorCarriesOnlyValuesThatReadBackAsThemselves() {
        let integer = Column(name: "n", type: .integer)
        let text = Column(name: "t", type: .text)
        let timestamp = Column(name: "at", type: .timestamp)
        let decimal = Column(name: "d", type: .decimal)
        #expect(Planner.cursorCarries(.null, of: integer))
        #expect(Planner.cursorCarries(.integer(-9_223_372_036_854_775_808), of: integer))
        #expect(Planner.cursorCarries(.text("Golf Industries"), of: text))
        #expect(Planner.cursorCarries(.text("2026-12-02T23:07:55.000000Z"), of: timestamp))
        #expect(Planner.cursorCarries(.decimal(DecimalNumber("10.50")!), of: decimal))
        // Bytes SQLite keeps in a text column compare as bytes, not as the text they read as.
        #expect(!Planner.cursorCarries(.text("\u{FFFF}blob:00ff"), of: text))
        // Values the column's type does not hold (a loosely typed SQLite file, PostgreSQL's infinity).
        #expect(!Planner.cursorCarries(.real(1.5), of: integer))
        #expect(!Planner.cursorCarries(.text("infinity"), of: timestamp))
        #expect(!Planner.cursorCarries(.text("NaN"), of: decimal))
        #expect(!Planner.cursorCarries(.integer(1), of: nil))
    }
}

import RestableCore
import Testing

@Suite struct SchemaTests {
    @Test func parentsComeBeforeChildren() {
        let order = Fixtures.schema.parentsFirst.map(\.name)
        #expect(order.firstIndex(of: "customer")! < order.firstIndex(of: "purchase_order")!)
        #expect(order.firstIndex(of: "purchase_order")! < order.firstIndex(of: "line_item")!)
        #expect(order.firstIndex(of: "product")! < order.firstIndex(of: "line_item")!)
        #expect(order.firstIndex(of: "user")! < order.firstIndex(of: "purchase_order")!)
        #expect(order.count == 5)
    }

    @Test func dependentsAreTheRelationshipsWhereTheResourceIsParent() {
        #expect(Fixtures.schema.dependents(of: "purchase_order").map(\.child) == ["line_item"])
        #expect(Fixtures.schema.dependents(of: "line_item").isEmpty)
        #expect(Fixtures.schema.references(of: "purchase_order").map(\.parent) == ["customer", "user"])
    }
}

@Suite struct ColumnTypeTests {
    @Test func coercionAcceptsOnlyCompatibleValues() throws {
        #expect(try ColumnType.decimal.coerce(.integer(2), column: "c") == .decimal(2))
        #expect(try ColumnType.integer.coerce(.real(2), column: "c") == .integer(2))
        #expect(throws: RestableError.self) { try ColumnType.integer.coerce(.real(2.5), column: "c") }
        #expect(throws: RestableError.self) { try ColumnType.text.coerce(.integer(2), column: "c") }
        #expect(throws: RestableError.self) { try ColumnType.boolean.coerce(.integer(1), column: "c") }
        #expect(try ColumnType.text.coerce(.null, column: "c") == .null)
    }

    @Test func parsingFromText() {
        #expect(ColumnType.boolean.parse("true") == .boolean(true))
        #expect(ColumnType.real.parse("2.5") == .real(2.5))
        #expect(ColumnType.real.parse("nan") == nil)
        #expect(ColumnType.integer.parse("12x") == nil)
    }
}

import RestableCore
import Testing

@Suite struct PlannerKeyTests {
    let planner = Planner(schema: Fixtures.schema)

    @Test func textKeyIsTakenAsIs() throws {
        #expect(try planner.key(.parts(["New Customer"]), of: Fixtures.customer) == Key([.text("New Customer")]))
    }

    @Test func compositeKeyIsTypedInKeyOrder() throws {
        #expect(try planner.key(.parts(["1", "2"]), of: Fixtures.line) == Key([.integer(1), .integer(2)]))
    }

    @Test(arguments: [["1"], ["1", "2", "3"], []])
    func wrongNumberOfPartsIsInvalidKey(parts: [String]) {
        #expect {
            try planner.key(.parts(parts), of: Fixtures.line)
        } throws: { error in
            (error as? RestableError)?.code == .invalidKey
        }
    }

    @Test(arguments: ["abc", "1.5", "", "9223372036854775808"])
    func wrongTypeIsInvalidKey(part: String) {
        let error = #expect(throws: RestableError.self) { try planner.key(.parts([part]), of: Fixtures.product) }
        #expect(error?.code == .invalidKey)
        #expect(error?.column == "id")
    }

    @Test func jsonKeyValuesAreCoerced() throws {
        #expect(try planner.key(.values([.real(3)]), of: Fixtures.product) == Key([.integer(3)]))
        #expect(throws: RestableError.self) { try planner.key(.values([.text("3")]), of: Fixtures.product) }
        #expect(throws: RestableError.self) { try planner.key(.values([.null]), of: Fixtures.product) }
    }

    @Test func unknownResourcesAreRefused() {
        let unknown = #expect(throws: RestableError.self) { try planner.plan(ListRequest(resource: "nope")) }
        #expect(unknown?.code == .unknownResource)
    }
}

@Suite struct PlannerValueTests {
    let planner = Planner(schema: Fixtures.schema)

    @Test func unknownColumnIsRefused() {
        let error = #expect(throws: RestableError.self) {
            try planner.plan(CreateRequest(resource: "customer", values: ["name": .text("x"), "colour": .text("red")]))
        }
        #expect(error?.code == .unknownColumn)
        #expect(error?.column == "colour")
    }

    @Test func wrongTypeIsInvalidValue() {
        let error = #expect(throws: RestableError.self) {
            try planner.plan(CreateRequest(resource: "customer", values: ["name": .text("x"), "balance": .text("lots")]))
        }
        #expect(error?.code == .invalidValue)
    }

    @Test func missingRequiredColumnIsRefusedButGeneratedKeyIsNot() throws {
        let missing = #expect(throws: RestableError.self) {
            try planner.plan(CreateRequest(resource: "purchase_order", values: [:]))
        }
        #expect(missing?.code == .missingValue)
        #expect(missing?.column == "customer_name")
        let plan = try planner.plan(CreateRequest(resource: "purchase_order", values: ["customer_name": .text("A")]))
        #expect(plan.values == ["customer_name": .text("A")])
    }

    @Test func updateMayRepeatButNotChangeTheKey() throws {
        let plan = try planner.plan(
            UpdateRequest(resource: "customer", key: .parts(["A"]), values: ["name": .text("A"), "balance": .integer(5)]))
        #expect(plan.values == ["balance": .decimal(5)])
        let error = #expect(throws: RestableError.self) {
            try planner.plan(UpdateRequest(resource: "customer", key: .parts(["A"]), values: ["name": .text("B")]))
        }
        #expect(error?.code == .keyImmutable)
    }

    @Test func filtersAreTypedAndColumnsChecked() throws {
        let predicate = try planner.predicate(
            [
                .equals("order_id", "3"), FilterInput(column: "qty", operation: .compare(.gte), operands: ["2"]),
                FilterInput(column: "line_no", operation: .oneOf, operands: ["1", "2"]),
                FilterInput(column: "qty", operation: .isNull(false), operands: []),
            ], of: Fixtures.line)
        #expect(
            predicate.conditions == [
                .compare(column: "order_id", .eq, .integer(3)), .compare(column: "qty", .gte, .integer(2)),
                .oneOf(column: "line_no", [.integer(1), .integer(2)]), .isNull(column: "qty", false),
            ])
        #expect(throws: RestableError.self) { try planner.predicate([.equals("qty", "many")], of: Fixtures.line) }
        let unknown = #expect(throws: RestableError.self) { try planner.predicate([.equals("colour", "1")], of: Fixtures.line) }
        #expect(unknown?.code == .unknownColumn)
    }

    @Test func negativeLimitIsRefused() {
        let error = #expect(throws: RestableError.self) { try planner.plan(ListRequest(resource: "customer", limit: -1)) }
        #expect(error?.code == .invalidQuery)
    }
}

import RestableCore
import RestableSQL
import Testing

@Suite struct SQLBuilderTests {
    let sqlite = SQLBuilder(flavor: SQLiteFlavor())
    let postgres = SQLBuilder(flavor: PostgresFlavor())
    let user = Resource(name: "user", key: ["user_id"], columns: [Column(name: "user_id", type: .integer), Column(name: "email", type: .text)])
    let line = Resource(
        name: "line_item", key: ["order_id", "line_no"],
        columns: [Column(name: "order_id", type: .integer), Column(name: "line_no", type: .integer), Column(name: "qty", type: .integer)])

    @Test func selectQuotesEveryIdentifierAndBindsEveryValue() {
        let statements = sqlite.select(user, where: RowPredicate([.compare(column: "email", .eq, .text("x'; DROP TABLE user"))]), limit: 10, offset: 5)
        #expect(statements == [
            SQLStatement(
                #"SELECT "user_id", "email" FROM "user" WHERE "email" = ? ORDER BY "user_id" LIMIT 10 OFFSET 5"#,
                binds: [.text("x'; DROP TABLE user")])
        ])
    }

    @Test func sqlitePlaceholderListsHaveOneMarkEachAtEveryLength() {
        let flavor = SQLiteFlavor()
        #expect(flavor.placeholders(from: 1, count: 0) == "" && flavor.placeholders(from: 1, count: 1) == "?")
        #expect(flavor.placeholders(from: 4, count: 3) == "?, ?, ?")
        for count in [5_000, flavor.maximumBinds, flavor.maximumBinds + 1] {
            let list = flavor.placeholders(from: 1, count: count)
            #expect(list == (1...count).map { _ in "?" }.joined(separator: ", "))
        }
    }

    @Test func postgresUsesNumberedPlaceholdersAndLocks() {
        let statements = postgres.select(user, where: .key(Key([.integer(1)]), of: user), limit: nil, offset: nil, lock: true)
        #expect(statements.map(\.sql) == [#"SELECT "user_id", "email" FROM "user" WHERE "user_id" = $1 ORDER BY "user_id" FOR UPDATE"#])
    }

    @Test func offsetWithoutLimitIsValidSQLite() {
        #expect(sqlite.select(user, where: RowPredicate(), limit: nil, offset: 3).map(\.sql) == [
            #"SELECT "user_id", "email" FROM "user" ORDER BY "user_id" LIMIT -1 OFFSET 3"#
        ])
    }

    @Test func compositeKeysUseRowValues() {
        let statements = sqlite.delete(line, where: .columns(["order_id", "line_no"], in: [[.integer(1), .integer(2)], [.integer(3), .integer(1)]]))
        #expect(statements == [
            SQLStatement(
                #"DELETE FROM "line_item" WHERE ("order_id", "line_no") IN (VALUES (?, ?), (?, ?))"#,
                binds: [.integer(1), .integer(2), .integer(3), .integer(1)])
        ])
    }

    @Test func singleColumnKeyListsUseInOnSQLiteAndOneArrayOnPostgres() {
        let keys: [[Value]] = [[.integer(1)], [.integer(2)]]
        #expect(sqlite.update(user, where: .columns(["user_id"], in: keys), set: ["email": .null]) == [
            SQLStatement(#"UPDATE "user" SET "email" = ? WHERE "user_id" IN (?, ?)"#, binds: [.null, .integer(1), .integer(2)])
        ])
        #expect(postgres.update(user, where: .columns(["user_id"], in: keys), set: ["email": .null]) == [
            SQLStatement(#"UPDATE "user" SET "email" = $1 WHERE "user_id" = ANY($2)"#, binds: [.null, .text(#"{"1","2"}"#)])
        ])
    }

    /// An array literal quotes every element and escapes quotes and backslashes; null is NULL.
    @Test func postgresArrayLiteralsEscapeEveryElement() {
        #expect(PostgresFlavor.arrayLiteral([.text(#"a "b" \ c"#), .null, .text(""), .decimal(DecimalNumber("12.50")!), .boolean(true)])
            == #"{"a \"b\" \\ c",NULL,"","12.5","true"}"#)
    }

    @Test func longKeyListsAreChunkedUnderTheBindLimit() {
        let keys = (0..<70_001).map { [Value.integer(Int64($0))] }
        let statements = sqlite.delete(user, where: .columns(["user_id"], in: keys))
        #expect(statements.count == 3)
        #expect(statements.allSatisfy { $0.binds.count <= SQLiteFlavor().maximumBinds })
        #expect(statements.reduce(0) { $0 + $1.binds.count } == 70_001)
    }

    @Test func insertReturnsTheStoredRow() {
        #expect(sqlite.insert(user, values: ["email": .text("a@b")]) == SQLStatement(
            #"INSERT INTO "user" ("email") VALUES (?) RETURNING "user_id", "email""#, binds: [.text("a@b")]))
        #expect(sqlite.insert(user, values: [:]).sql == #"INSERT INTO "user" DEFAULT VALUES RETURNING "user_id", "email""#)
    }

    @Test func createTableDeclaresKeysAndForeignKeys() {
        let order = Resource(
            name: "order", key: ["id"],
            columns: [Column(name: "id", type: .integer, generated: true), Column(name: "user_id", type: .integer, required: true)])
        let schema = Schema(resources: [user, order], relationships: [
            Relationship(parent: "user", child: "order", columns: ["user_id"], onDelete: .setNull)
        ])
        #expect(sqlite.createTable(order, references: schema.references(of: "order"), schema: schema).sql == """
            CREATE TABLE "order" (
              "id" INTEGER PRIMARY KEY AUTOINCREMENT,
              "user_id" INTEGER NOT NULL,
              FOREIGN KEY ("user_id") REFERENCES "user" ("user_id") ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED
            )
            """)
        #expect(postgres.createTable(line, references: [], schema: schema).sql == """
            CREATE TABLE "line_item" (
              "order_id" BIGINT NOT NULL,
              "line_no" BIGINT NOT NULL,
              "qty" BIGINT,
              PRIMARY KEY ("order_id", "line_no")
            )
            """)
    }

    @Test func foreignKeysGetAnIndexUnlessTheyLeadThePrimaryKey() {
        let references = [
            Relationship(parent: "order", child: "line_item", columns: ["order_id"], onDelete: .cascade),
            Relationship(parent: "product", child: "line_item", columns: ["qty"], onDelete: .restrict),
        ]
        #expect(sqlite.createIndexes(line, references: references).map(\.sql) == [
            #"CREATE INDEX "line_item_qty_fkey_index" ON "line_item" ("qty")"#
        ])
    }

    /// PostgreSQL: foreign keys come after every CREATE TABLE (relationships may form cycles).
    @Test func postgresAddsForeignKeysOnceEveryTableExists() {
        let order = Resource(
            name: "order", key: ["id"],
            columns: [Column(name: "id", type: .integer, generated: true), Column(name: "user_id", type: .integer, required: true),
                      Column(name: "total", type: .decimal), Column(name: "placed", type: .timestamp), Column(name: "paid", type: .boolean)])
        let schema = Schema(resources: [user, order], relationships: [
            Relationship(parent: "user", child: "order", columns: ["user_id"], onDelete: .setNull)
        ])
        let references = schema.references(of: "order")
        #expect(postgres.createTable(order, references: references, schema: schema).sql == """
            CREATE TABLE "order" (
              "id" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
              "user_id" BIGINT NOT NULL,
              "total" NUMERIC,
              "placed" TIMESTAMPTZ,
              "paid" BOOLEAN
            )
            """)
        #expect(postgres.addForeignKeys(order, references: references, schema: schema).map(\.sql) == [
            #"ALTER TABLE "order" ADD FOREIGN KEY ("user_id") REFERENCES "user" ("user_id") ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED"#
        ])
        #expect(sqlite.addForeignKeys(order, references: references, schema: schema).isEmpty)
    }

    /// Keyset pages and ordered comparisons: text bytewise on PostgreSQL, decimals by value on
    /// SQLite (where they are stored as text); composite keys as row values, locked in key order.
    @Test func orderingsCompareWhatTheModelCompares() {
        let tag = Resource(
            name: "tag", key: ["label", "n"],
            columns: [Column(name: "label", type: .text), Column(name: "n", type: .integer), Column(name: "weight", type: .decimal)])
        let page = RowPredicate([.after(columns: ["label", "n"], [.text("m"), .integer(2)])])
        #expect(postgres.select(tag, where: page, limit: 10, offset: nil, lock: true) == [
            SQLStatement(
                #"SELECT "label", "n", "weight" FROM "tag" WHERE ("label" COLLATE "C", "n") > ($1, $2) ORDER BY "label" COLLATE "C", "n" LIMIT 10 FOR UPDATE"#,
                binds: [.text("m"), .integer(2)])
        ])
        #expect(sqlite.select(tag, where: RowPredicate([.compare(column: "weight", .gt, .decimal(DecimalNumber("9.5")!))]), limit: nil, offset: nil) == [
            SQLStatement(
                #"SELECT "label", "n", "weight" FROM "tag" WHERE CAST("weight" AS NUMERIC) > ? ORDER BY "label", "n""#,
                binds: [.decimal(DecimalNumber("9.5")!)])
        ])
    }

    /// Composite key lists on PostgreSQL are row constructors (binds typed by their columns).
    @Test func postgresCompositeKeyListsAreRowConstructors() {
        let statements = postgres.delete(line, where: .columns(["order_id", "line_no"], in: [[.integer(1), .integer(2)], [.integer(3), .integer(1)]]))
        #expect(statements == [
            SQLStatement(
                #"DELETE FROM "line_item" WHERE ("order_id", "line_no") IN (($1, $2), ($3, $4))"#,
                binds: [.integer(1), .integer(2), .integer(3), .integer(1)])
        ])
    }

    @Test func quotesInIdentifiersAreDoubled() {
        #expect(SQLiteFlavor().quote(#"we"ird"#) == #""we""ird""#)
    }
}

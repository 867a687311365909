import HTTPTypes
import Hummingbird
import RestableCore
@testable import RestableHTTP
import Testing

/// Percent-decoding, query items, strict values, path keys and the filter syntax, directly.
@Suite struct QueryAndPathTests {
    @Test(arguments: [
        ("a%20b", "a b"), ("%e2%82%AC", "€"), ("a+b", "a+b"), ("%2B", "+"), ("", ""), ("%25", "%"), ("é", "é"), ("%00", "\u{0}"), ("a%00b", "a\u{0}b"),
    ])
    func decodes(_ text: String, _ expected: String) {
        #expect(PercentEncoding.decode(text) == expected)
    }

    @Test(arguments: ["%", "%2", "%G0", "%0G", "a%", "%C3", "%C3%28", "%ED%A0%80", "%FF", "%C0%AF", "%%41"])
    func decodeRefuses(_ text: String) {
        #expect(PercentEncoding.decode(text) == nil, "\(text)")
    }

    @Test func encodeRoundTrips() {
        for text in ["a b,c/d?e#f&g=h+i%j", "€😀é", "e\u{301}", "-._~", ":@", "\u{7F}\u{1}"] {
            #expect(PercentEncoding.decode(PercentEncoding.encode(text)) == text)
        }
        #expect(PercentEncoding.encode("a,b c") == "a%2Cb%20c")
        #expect(PercentEncoding.encodeName("demo:customer@x") == "demo:customer@x")
    }

    static func items(_ query: String?) -> [QueryItems.Item]? { try? QueryItems(parsing: query).items }

    @Test func queryItems() throws {
        #expect(Self.items(nil) == [])
        #expect(Self.items("&&a=1&&b&c=&d=x=y&") == [
            .init(name: "a", value: "1"), .init(name: "b", value: nil), .init(name: "c", value: ""), .init(name: "d", value: "x=y"),
        ])
        #expect(Self.items("a+b=c+d%2B") == [.init(name: "a+b", value: "c+d+")])  // + is kept
        #expect(Self.items("%61=%62") == [.init(name: "a", value: "b")])
        for refused in ["=x", "%=1", "a=%", "a=%ZZ", "a=%C3", "%C3=1"] { #expect(Self.items(refused) == nil, "\(refused)") }
    }

    /// Regression (found by FuzzQuery): the query was split on Characters, so a combining mark
    /// right after `&` or `=` glued two items together (`a=1&\u{301}b` was one item).
    @Test func queryItemsSplitOnScalars() {
        #expect(Self.items("a=1&\u{301}b=2")?.count == 2)
        #expect(Self.items("a=\u{301}x")?.first?.value == "\u{301}x")
        #expect(Self.items("dryrun&\u{301}all=true")?.map(\.name) == ["dryrun", "\u{301}all"])
    }

    @Test func flagsSinglesAndCounts() throws {
        let query = try QueryItems(parsing: "a&b=true&c=FALSE&d=1&e=0&f=ture&g=&h=TRUE&dup=1&dup=1&n=007&m=-1&s= 1&big=99999999999999999999")
        #expect(try query.flag("a") && query.flag("b") && !query.flag("c") && query.flag("d") && !query.flag("e") && query.flag("h"))
        #expect(try !query.flag("absent"))
        for name in ["f", "g", "dup"] { #expect(throws: RestableError.self) { try query.flag(name) } }
        #expect(try query.single("a") == "" && query.single("absent") == nil)
        #expect(throws: RestableError.self) { try query.single("dup") }
        #expect(try query.count("n") == 7 && query.count("e") == 0 && query.count("absent") == nil)
        for name in ["m", "s", "big", "a", "g", "b", "dup"] { #expect(throws: RestableError.self) { try query.count(name) } }
        #expect(throws: RestableError.self) { try query.refuseOthers(than: ["a"], here: "here") }
        try QueryItems(parsing: "a&a=1").refuseOthers(than: ["a"], here: "here")
    }

    @Test(arguments: [("true", true), ("TRUE", true), ("True", true), ("1", true), ("false", false), ("FALSE", false), ("0", false)])
    func strictBooleans(_ text: String, _ expected: Bool) {
        #expect(StrictValue.boolean(text) == expected)
    }

    @Test(arguments: ["", "ture", "yes", "no", "01", "00", "2", " true", "true ", "t", "on", "-1", "+1"])
    func strictBooleansRefuse(_ text: String) {
        #expect(StrictValue.boolean(text) == nil, "\(text)")
    }

    @Test func strictCounts() {
        #expect(StrictValue.count("0") == 0 && StrictValue.count("42") == 42 && StrictValue.count("0042") == 42)
        #expect(StrictValue.count(String(Int.max)) == Int.max)
        for refused in ["", "-0", "+1", "-1", " 1", "1 ", "1_000", "1e3", "0x10", "١", "９", "9223372036854775808", "99999999999999999999"] {
            #expect(StrictValue.count(refused) == nil, "\(refused)")
        }
    }

    @Test func pathKeys() throws {
        #expect(try PathSegments.key("ALFKI") == .parts(["ALFKI"]))
        #expect(try PathSegments.key("1,2") == .parts(["1", "2"]))
        #expect(try PathSegments.key("a%2Cb,c%20d") == .parts(["a,b", "c d"]))
        #expect(try PathSegments.key(",") == .parts(["", ""]))
        #expect(try PathSegments.key("") == .parts([""]))
        for refused in ["%", "a,%ZZ", "%C3,%A9"] {
            #expect(throws: RestableError.self, "\(refused)") { try PathSegments.key(refused) }
        }
        #expect(try PathSegments.under("/api", href: "https://any.host/api/customer/X?y") == ["customer", "X"])
        #expect(try PathSegments.under("/api", href: "/api/order//10248/") == ["order", "10248"])
        for refused in ["/apix/customer", "/other/api/customer", "https://host", "api/customer", "/api"] {
            #expect(throws: RestableError.self, "\(refused)") { try PathSegments.under("/api", href: refused) }
        }
    }

    /// Regression (found by FuzzPathKeys): keys and hrefs were split on Characters, so a
    /// combining mark after `,` or `/` hid it (`1,\u{301}2` was one part).
    @Test func pathKeysSplitOnScalars() throws {
        #expect(try PathSegments.key("1,\u{301}2") == .parts(["1", "\u{301}2"]))
        #expect(try PathSegments.under("/api", href: "/api/customer/\u{301}x") == ["customer", "\u{301}x"])
        #expect(try PathSegments.under("/api", href: "/api/x?\u{301}y/z") == ["x"])
    }

    static func filter(_ text: String) -> FilterInput? { try? NativeDialect.filter(column: "c", text) }

    @Test func filters() {
        #expect(Self.filter("5") == .equals("c", "5"))
        #expect(Self.filter("neq.a.b") == FilterInput(column: "c", operation: .compare(.neq), operands: ["a.b"]))
        #expect(Self.filter("gte.") == FilterInput(column: "c", operation: .compare(.gte), operands: [""]))
        #expect(Self.filter("EQ.5") == .equals("c", "EQ.5"))  // operators are lower case; anything else is equality
        #expect(Self.filter("x.y") == .equals("c", "x.y"))
        #expect(Self.filter("is.null") == FilterInput(column: "c", operation: .isNull(true), operands: []))
        #expect(Self.filter("is.notnull") == FilterInput(column: "c", operation: .isNull(false), operands: []))
        #expect(Self.filter("in.()") == FilterInput(column: "c", operation: .oneOf, operands: []))
        #expect(Self.filter("in.(\"\")") == FilterInput(column: "c", operation: .oneOf, operands: [""]))
        #expect(Self.filter(#"in.(1,"2,3","a\"b",x\y,)"#) == FilterInput(column: "c", operation: .oneOf, operands: ["1", "2,3", "a\"b", "x\\y", ""]))
        for refused in ["in.", "in.(", "in.)", "in.1,2", "in.(\"open)", "is.", "is.NULL", "is.true"] {
            #expect(Self.filter(refused) == nil, "\(refused)")
        }
    }

    /// Regression (found by FuzzFilters): the filter was read by Characters, so a combining mark
    /// after `.`, `(`, `"` or `,` hid it: `in.\u{611}(1)` was an equality, `in.("\u{301}")` unterminated.
    @Test func filtersReadScalars() {
        #expect(Self.filter("in\u{611}.5") == .equals("c", "in\u{611}.5"))
        #expect(Self.filter("eq.\u{301}") == FilterInput(column: "c", operation: .compare(.eq), operands: ["\u{301}"]))
        #expect(Self.filter("in.(\"\u{301}\",\u{301}x)") == FilterInput(column: "c", operation: .oneOf, operands: ["\u{301}", "\u{301}x"]))
        #expect(Self.filter("in.\u{611}.()") == nil)  // `in.` then not a parenthesized list
    }
}

/// `%00` decodes to a NUL; a key holding one names no row (the store must not read it as the
/// text before the NUL), so a DELETE of it is 404 and deletes nothing.
@Suite struct NulInKeyTests {
    @Test func deleteWithNulInTheKeyDeletesNothing() async throws {
        try await withDemoApp { api in
            let reply = try await api.send(.delete, "/api/customer/Golf%20Industries%00x")
            #expect(reply.status == .notFound)
            let kept = try await api.send(.get, "/api/customer/Golf%20Industries")
            #expect(kept.status == .ok)
        }
    }
}

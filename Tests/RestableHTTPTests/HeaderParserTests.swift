import HTTPTypes
import RestableCore
@testable import RestableHTTP
import Testing

/// Prefer (RFC 7240), If-Match / If-None-Match (RFC 9110 §13.1) and Content-Type, directly.
@Suite struct HeaderParserTests {
    static func preferences(_ fields: [String]) -> [Preference]? { try? Preference.parse(fields) }

    @Test(arguments: [
        ("return=minimal", [Preference(name: "return", value: "minimal", parameters: [])]),
        ("return = minimal", [Preference(name: "return", value: "minimal", parameters: [])]),
        ("RETURN=\"minimal\"", [Preference(name: "return", value: "minimal", parameters: [])]),
        ("return=\"a\\\"b\\\\c\"", [Preference(name: "return", value: "a\"b\\c", parameters: [])]),
        ("return=\"\"", [Preference(name: "return", value: "", parameters: [])]),
        (",, respond-async ,, wait=10,", [Preference(name: "respond-async", value: nil, parameters: []), Preference(name: "wait", value: "10", parameters: [])]),
        ("foo; Bar=\"x;y\" ; baz;;", [Preference(name: "foo", value: nil, parameters: [.init(name: "bar", value: "x;y"), .init(name: "baz")])]),
        // Found by the Prefer fuzzer: a value that starts with a combining mark (here after an
        // escaping backslash) keeps it; "=" and the mark are one Character but two scalars.
        ("inimmaxfoo=\"\\\"ab\";Io=\"\\\u{615}bo(\"",
         [Preference(name: "inimmaxfoo", value: "\"ab", parameters: [.init(name: "io", value: "\u{615}bo(")])]),
        ("\t tx=rollback\t", [Preference(name: "tx", value: "rollback", parameters: [])]),
        ("", []), (",", []),
    ])
    func preferParses(_ field: String, _ expected: [Preference]) {
        #expect(Self.preferences([field]) == expected)
    }

    @Test(arguments: ["return=", "=minimal", "return minimal", "return=a b", "return=\"open", "return=\"a\u{1}\"", "return=min;=x",
        "return; a=", "return=minimal foo", "re turn", "return==minimal", "return=(x)", "return=\"x\"y"])
    func preferRefuses(_ field: String) {
        #expect(Self.preferences([field]) == nil, "\(field)")
    }

    static func settings(_ fields: [String], _ supported: Set<Preferences.Kind> = Set(Preferences.Kind.allCases)) -> Preferences? {
        var headers = HTTPFields()
        for field in fields { headers.append(HTTPField(name: .prefer, value: field)) }
        return try? Preferences(headers, supported: supported)
    }

    @Test func preferencesReadStrictly() throws {
        let read = try #require(Self.settings(["return=minimal, handling=LENIENT", "tx=rollback, max-affected=\"7\""]))
        #expect(read.returnMinimal && read.handling == .lenient && read.rollback && read.maxAffected == 7)
        #expect(read.appliedField == "return=minimal, handling=lenient, tx=rollback, max-affected=7")  // values lower-cased
        #expect(Self.settings(["return=minimal", "return=MINIMAL"])?.applied.count == 1)  // the same twice is once
        for refused in [["return=minimal, return=representation"], ["return"], ["return=short"], ["tx=maybe"], ["handling=strict;x"],
            ["max-affected=-1"], ["max-affected=+1"], ["max-affected= 1 1"], ["max-affected=99999999999999999999"], ["max-affected=\"\""],
            ["wait=10"], ["respond-async=yes"], ["respond-async; wait=1"]]
        {
            #expect(Self.settings(refused) == nil, "\(refused)")
        }
        #expect(Self.settings(["respond-async, return=minimal"])?.appliedField == "respond-async, return=minimal")
        #expect(Self.settings(["return=minimal"], []) == nil)  // not supported here
        #expect(Self.settings([], [])?.appliedField == nil)
    }

    static func condition(_ fields: [String]) -> EntityTagCondition?? {
        var headers = HTTPFields()
        for field in fields { headers.append(HTTPField(name: .ifMatch, value: field)) }
        do { return .some(try EntityTagCondition.parse(headers, .ifMatch)) } catch { return .none }
    }

    @Test func entityTags() {
        #expect(Self.condition([]) == .some(nil))
        #expect(Self.condition(["*"]) == .some(.any))
        #expect(Self.condition([" * ", "*"]) == .some(.any))
        #expect(Self.condition(["\"A:1\""]) == .some(.tags([EntityTag(weak: false, opaque: "A:1")])))
        #expect(Self.condition([",\"a\" , W/\"b\",,", "\"\""]) == .some(.tags([
            EntityTag(weak: false, opaque: "a"), EntityTag(weak: true, opaque: "b"), EntityTag(weak: false, opaque: ""),
        ])))
        #expect(Self.condition(["\"a\\b\""]) == .some(.tags([EntityTag(weak: false, opaque: "a\\b")])))  // no escapes in tags
        for refused in [["A:1"], ["w/\"a\""], ["W/ \"a\""], ["W\"a\""], ["\"a b\""], ["\"a"], ["\"a\"\"b\""], ["\"a\" \"b\""], ["*, \"a\""],
            ["*", "\"a\""], ["**"], [""], [","], ["\"a\"x"]]
        {
            #expect(Self.condition(refused) == .none, "\(refused)")
        }
    }

    @Test func mediaTypes() throws {
        let json = try #require(MediaType.parse(" Application/JSON ; Charset=\"UTF-8\";q=1 "))
        #expect(json.type == "application" && json.subtype == "json")
        #expect(json.parameters.map(\.name) == ["charset", "q"] && json.parameters.map(\.value) == ["UTF-8", "1"])
        #expect(MediaType.parse("text/plain; a=\"x;\\\"y\"")?.parameters.first?.value == "x;\"y")
        for refused in ["", "application", "application/", "/json", "application/json/x", "application /json", "application/ json",
            "application/json; charset", "application/json; charset =utf-8", "application/json; charset= utf-8", "application/json x",
            "application/json; a=\"open", "appl@cation/json"]
        {
            #expect(MediaType.parse(refused) == nil, "\(refused)")
        }
        func requireJSON(_ value: String) -> Bool { (try? MediaType.requireJSON([.contentType: value])) != nil }
        #expect(requireJSON("application/json") && requireJSON("application/merge-patch+json; charset=utf8"))
        #expect(requireJSON("application/x-www-form-urlencoded"))
        #expect(!requireJSON("text/json") && !requireJSON("application/json; charset=latin1") && !requireJSON("application/jsonx"))
        #expect((try? MediaType.requireJSON([:])) != nil)
    }

    /// RFC 9110 §5.6.6 allows empty parameters (`*( OWS ";" OWS [ parameter ] )`).
    @Test func mediaTypeEmptyParameters() {
        #expect(MediaType.parse("application/json;")?.subtype == "json")
        #expect(MediaType.parse("application/json; ; charset=utf-8")?.parameters.first?.value == "utf-8")
    }

    /// A new request id is a random version-4 UUID in lower case, as Foundation would write it.
    @Test func newRequestIDsAreVersion4UUIDs() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = RestableResponder.newRequestID()
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(groups == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || $0 == 45 }, "\(id)")
            #expect(Array(id.utf8)[14] == UInt8(ascii: "4"), "\(id)")
            #expect("89ab".utf8.contains(Array(id.utf8)[19]), "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }
}

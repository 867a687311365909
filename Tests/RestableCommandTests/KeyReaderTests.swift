import Foundation
import RestableBulk
import Testing

/// Keys read from a file as `restable delete` reads them: typed by the key's columns, never
/// guessed; every malformed record refused with its number.
@Suite struct KeyReaderTests {
    static func keys(_ text: String, _ format: KeyFileFormat, _ types: [KeyPartType], columns: [String]? = nil) throws -> [String] {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(text.utf8))
        try pipe.fileHandleForWriting.close()
        var reader = KeyReader(lines: LineSource(handle: pipe.fileHandleForReading), format: format, types: types, columns: columns)
        var keys: [String] = []
        while let key = try reader.next() { keys.append(key.json) }
        return keys
    }

    static func refusal(_ text: String, _ format: KeyFileFormat, _ types: [KeyPartType], columns: [String]? = nil) -> String? {
        do {
            _ = try keys(text, format, types, columns: columns)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func linesAreTypedByTheKeyNeverGuessed() throws {
        #expect(try Self.keys("1\n-7\r\n\n  \n9223372036854775807", .lines, [.integer]) == ["1", "-7", "9223372036854775807"])
        #expect(try Self.keys("00123\nGolf Industries\nsay \"hi\"\\\n", .lines, [.string]) == [#""00123""#, #""Golf Industries""#, #""say \"hi\"\\""#])
        #expect(try Self.keys("1,2\n3,4\n", .lines, [.integer, .integer]) == ["[1,2]", "[3,4]"])
        #expect(try Self.keys("7,Golf\n", .lines, [.integer, .string]) == [#"[7,"Golf"]"#])
        for bad in ["+5", " 5", "5.0", "five", "9223372036854775808", "0x10", ""] where !bad.isEmpty {
            #expect(Self.refusal("1\n\(bad)\n", .lines, [.integer]) == "record 2 of the keys: the key is an integer, got '\(bad)'", "\(bad)")
        }
        #expect(Self.refusal("1,2,3\n", .lines, [.integer, .integer])?.contains("the key has 2 parts, got 3") == true)
        #expect(Self.refusal("yes\n", .lines, [.boolean])?.contains("true or false") == true)
    }

    @Test func csvHasAHeaderQuotesAndChosenColumns() throws {
        let csv = "name,id,note\n\"Smith, Jones & Co\",4,\"a \"\"b\"\"\"\nPlain,5,x\n"
        #expect(try Self.keys(csv, .csv, [.string]) == [#""Smith, Jones & Co""#, #""Plain""#])
        #expect(try Self.keys(csv, .csv, [.integer], columns: ["id"]) == ["4", "5"])
        #expect(try Self.keys(csv, .csv, [.integer, .string], columns: ["id", "name"]) == [#"[4,"Smith, Jones & Co"]"#, #"[5,"Plain"]"#])
        #expect(Self.refusal(csv, .csv, [.integer], columns: ["colour"])?.contains("has no column 'colour'") == true)
        #expect(Self.refusal("", .csv, [.integer])?.contains("no header line") == true)
        #expect(Self.refusal("id\n\"4\n", .csv, [.integer])?.contains("not closed") == true)
    }

    @Test func jsonLinesAreSentAsTheyAre() throws {
        #expect(try Self.keys("17\n\"ABC\"\n[1, 2]\n{\"order_id\": 1, \"line_no\": 2}\n", .jsonl, []) == [
            "17", "\"ABC\"", "[1, 2]", "{\"order_id\": 1, \"line_no\": 2}",
        ])
        #expect(Self.refusal("17\n{oops\n", .jsonl, [])?.hasPrefix("record 2 of the keys: not a JSON value") == true)
    }

    @Test func theFormatFollowsTheFileName() {
        #expect(KeyFileFormat.guess("keys.CSV") == .csv && KeyFileFormat.guess("k.ndjson") == .jsonl && KeyFileFormat.guess("k.txt") == .lines)
    }
}

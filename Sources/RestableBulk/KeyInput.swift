public import Foundation
import Glibc

/// How a file of keys is written.
public enum KeyFileFormat: String, Sendable, CaseIterable {
    /// One key a line: a one-column key as its text, a composite key's parts separated by commas.
    case lines
    /// Comma-separated values with a header line naming the columns (RFC 4180 quoting).
    case csv
    /// One JSON value a line, sent as it is: `17`, `"ABC"`, `[1, 2]`, `{"order_id": 1, "line_no": 2}`.
    case jsonl

    /// The format a file's name suggests: `.csv`, `.jsonl` or `.ndjson`, else lines.
    public static func guess(_ path: String) -> KeyFileFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        return .lines
    }
}

/// The JSON type of each part of a resource's key, as the server's OpenAPI document says: what
/// a key read as text must be sent as. Text is never guessed to be a number: `00123` in a text
/// key stays the text `00123`, and in an integer key it is refused.
public enum KeyPartType: Sendable, Equatable {
    case integer, number, string, boolean
}

/// A key ready to send: its JSON text, and where it came from (for messages).
public struct KeyRecord: Sendable, Equatable {
    public var json: String
    /// The record's number in the input, from 1 (a CSV header is not a record).
    public var record: Int
}

/// A key the input holds that cannot be sent: the run stops before sending its chunk.
public struct KeyInputError: Error, Sendable, CustomStringConvertible {
    public var record: Int
    public var message: String
    public var description: String { "record \(record) of the keys: \(message)" }
}

/// Reads keys one record at a time from lines of text (a file or standard input), in one of the
/// ``KeyFileFormat``s, checking each against the key's types.
public struct KeyReader {
    let format: KeyFileFormat
    let types: [KeyPartType]
    /// For CSV: the header's columns whose values form the key, in key order (nil: the first
    /// columns, as many as the key has).
    let columns: [String]?
    private var lines: LineSource
    private var csvIndexes: [Int]?
    private(set) var records = 0
    private var lineNumber = 0

    public init(lines: LineSource, format: KeyFileFormat, types: [KeyPartType], columns: [String]? = nil) {
        self.lines = lines
        self.format = format
        self.types = types
        self.columns = columns
    }

    /// The next key, or nil at the end of the input. Blank lines are skipped.
    public mutating func next() throws -> KeyRecord? {
        while let raw = try lines.next() {
            lineNumber += 1
            var line = raw
            if line.hasSuffix("\r") { line.removeLast() }
            if format == .csv, csvIndexes == nil {
                try readHeader(line)
                continue
            }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            records += 1
            return KeyRecord(json: try key(line), record: records)
        }
        if format == .csv, csvIndexes == nil { throw KeyInputError(record: 0, message: "the CSV file has no header line") }
        return nil
    }

    private mutating func readHeader(_ line: String) throws {
        let names = try Self.csvFields(line, record: 0)
        guard let columns else {
            guard names.count >= types.count else {
                throw KeyInputError(record: 0, message: "the CSV header has \(names.count) columns; the key has \(types.count)")
            }
            csvIndexes = Array(0..<types.count)
            return
        }
        var indexes: [Int] = []
        for column in columns {
            guard let index = names.firstIndex(of: column) else {
                throw KeyInputError(record: 0, message: "the CSV header has no column '\(column)' (it has \(names.joined(separator: ", ")))")
            }
            indexes.append(index)
        }
        csvIndexes = indexes
    }

    private func key(_ line: String) throws -> String {
        switch format {
        case .jsonl:
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])) != nil else {
                throw KeyInputError(record: records, message: "not a JSON value: \(Self.shown(line))")
            }
            return trimmed
        case .lines:
            let parts = types.count == 1 ? [line] : line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return try typed(parts)
        case .csv:
            let fields = try Self.csvFields(line, record: records)
            let indexes = csvIndexes ?? []
            guard let last = indexes.max(), last < fields.count else {
                throw KeyInputError(record: records, message: "the line has \(fields.count) fields; the key is in field \((indexes.max() ?? 0) + 1)")
            }
            return try typed(indexes.map { fields[$0] })
        }
    }

    /// The JSON of a key's parts, each read strictly as its type.
    private func typed(_ parts: [String]) throws -> String {
        guard parts.count == types.count else {
            throw KeyInputError(record: records, message: "the key has \(types.count) parts, got \(parts.count): \(Self.shown(parts.joined(separator: ",")))")
        }
        var values: [String] = []
        for (part, type) in zip(parts, types) {
            switch type {
            case .string:
                values.append(Self.jsonString(part))
            case .integer:
                guard Self.isInteger(part) else {
                    throw KeyInputError(record: records, message: "the key is an integer, got \(Self.shown(part))")
                }
                values.append(part)
            case .number:
                guard Self.isInteger(part) || (Double(part) != nil && part.allSatisfy({ "0123456789.-eE+".contains($0) })) else {
                    throw KeyInputError(record: records, message: "the key is a number, got \(Self.shown(part))")
                }
                values.append(part)
            case .boolean:
                guard part == "true" || part == "false" else {
                    throw KeyInputError(record: records, message: "the key is true or false, got \(Self.shown(part))")
                }
                values.append(part)
            }
        }
        return values.count == 1 ? values[0] : "[" + values.joined(separator: ",") + "]"
    }

    /// An optional minus and 1 to 19 ASCII digits that fit 64 bits.
    static func isInteger(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.utf8.allSatisfy { (48...57).contains($0) } && Int64(text) != nil
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed])) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A piece of input, quoted and cut short, for a message.
    static func shown(_ text: String) -> String {
        "'" + (text.count > 60 ? text.prefix(60) + "…" : Substring(text)) + "'"
    }

    /// The fields of one CSV line (RFC 4180: a field in double quotes may hold commas, and `""`
    /// is a quote in it). A field that spans lines is refused.
    static func csvFields(_ line: String, record: Int) throws -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var index = line.startIndex
        var atFieldStart = true
        while index < line.endIndex {
            let character = line[index]
            if quoted {
                if character == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex, line[next] == "\"" {
                        field.append("\"")
                        index = line.index(after: next)
                        continue
                    }
                    quoted = false
                } else {
                    field.append(character)
                }
            } else if character == "\"", atFieldStart {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
                atFieldStart = true
                index = line.index(after: index)
                continue
            } else {
                field.append(character)
            }
            atFieldStart = false
            index = line.index(after: index)
        }
        guard !quoted else { throw KeyInputError(record: record, message: "a quoted CSV field is not closed on its line") }
        fields.append(field)
        return fields
    }
}

/// Lines of text from a file or standard input, read a buffer at a time.
public final class LineSource {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false

    public init(handle: FileHandle) {
        self.handle = handle
    }

    /// The next line without its newline, or nil at the end; a last line without a newline counts.
    public func next() throws -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = try Self.text(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if ended {
                guard start < buffer.count else { return nil }
                let line = try Self.text(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeSubrange(0..<start)
            start = 0
            // read(2) returns what a pipe holds now, so that keys are sent as they arrive.
            let size = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: 1 << 16))
            let count = buffer.withUnsafeMutableBytes { bytes in
                Glibc.read(handle.fileDescriptor, bytes.baseAddress! + size, 1 << 16)
            }
            buffer.removeLast((1 << 16) - max(0, count))
            if count < 0 {
                guard errno == EINTR else { throw KeyInputError(record: 0, message: "the keys cannot be read: \(String(cString: strerror(errno)))") }
            } else if count == 0 {
                ended = true
            }
        }
    }

    private static func text(_ bytes: ArraySlice<UInt8>) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw KeyInputError(record: 0, message: "the keys are not UTF-8 text")
        }
        return text
    }
}

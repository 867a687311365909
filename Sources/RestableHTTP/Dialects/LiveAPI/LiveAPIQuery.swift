public import RestableCore

/// Live API Creator's structured filters and sorts, read strictly.
///
/// `sysfilter=NAME(column: value, ...)`: `equal`, `notequal`, `less`, `lessequal`, `greater`,
/// `greaterequal`, `like`, `notlike`, `null`, `notnull`; the expressions of one function must
/// all hold, or with the `_or` modifier (`equal_or(...)`) one of them; several `sysfilter`
/// parameters must all hold. A value is text in single quotes (`''` is a quote inside), a
/// number, `true`, `false`, or `null` (for `null` and `notnull`). A number or a boolean is a
/// typed value, as in a JSON body: it compares with numeric or boolean columns only, so
/// `equal(name: 5)` on a text column is refused rather than read as the text `5`. LAC's `_uc`
/// modifier (compare upper-cased) is refused: Restable compares text exactly.
///
/// `sysorder=(column:asc, other:desc)`: columns in order, ascending unless `desc`.
public enum LiveAPIQuery {
    static let functions: [String: FilterInput.Operation] = [
        "equal": .compare(.eq), "notequal": .compare(.neq), "less": .compare(.lt), "lessequal": .compare(.lte),
        "greater": .compare(.gt), "greaterequal": .compare(.gte), "like": .matches(.pattern, negated: false),
        "notlike": .matches(.pattern, negated: true), "null": .isNull(true), "notnull": .isNull(false),
    ]

    /// Every `sysfilter` given, combined: all must hold.
    public static func filter(_ texts: [String]) throws(RestableError) -> FilterExpression {
        var parts: [FilterExpression] = []
        for text in texts { parts.append(try filter(text)) }
        return .all(parts)
    }

    /// One `sysfilter` value.
    public static func filter(_ text: String) throws(RestableError) -> FilterExpression {
        var reader = Reader(text)
        reader.skipSpaces()
        let name = reader.word()
        guard !name.isEmpty, reader.take("(") else {
            throw invalid(text, "write a sysfilter as name(column: value), for example equal(name: 'Jones')")
        }
        var base = name
        var anyOf = false
        if base.hasSuffix("_uc_or") || base.hasSuffix("_uc") {
            throw invalid(text, "the _uc modifier (compare upper-cased) is not supported: Restable compares text exactly")
        }
        if base.hasSuffix("_or") {
            base.removeLast(3)
            anyOf = true
        }
        guard let operation = functions[base] else {
            throw invalid(
                text, "unknown sysfilter '\(name)' (use equal, notequal, less, lessequal, greater, greaterequal, like, notlike, null, notnull, each also with _or)")
        }
        var conditions: [FilterExpression] = []
        repeat {
            reader.skipSpaces()
            let column = reader.until { $0 == ":" || $0 == "," || $0 == ")" || $0 == "(" }.trimmingSpaces
            guard !column.isEmpty, reader.take(":") else { throw invalid(text, "each expression is column: value") }
            reader.skipSpaces()
            let value = try reader.value(in: text)
            switch operation {
            case .isNull:
                guard value == nil else { throw invalid(text, "\(base) takes null as its value: \(base)(\(column): null)") }
                conditions.append(.condition(FilterInput(column: column, operation: operation, values: [])))
            default:
                guard let value else { throw invalid(text, "\(base) compares with a value; test for null with null(\(column): null)") }
                conditions.append(.condition(FilterInput(column: column, operation: operation, values: [value])))
            }
            reader.skipSpaces()
        } while reader.take(",")
        guard reader.take(")") else { throw invalid(text, "expected ',' or ')' after an expression") }
        reader.skipSpaces()
        guard reader.atEnd else { throw invalid(text, "nothing may follow the closing ')'") }
        return anyOf ? .any(conditions) : .all(conditions)
    }

    /// The `sysorder` value: `(column:asc, other:desc)`.
    public static func order(_ text: String) throws(RestableError) -> [SortInput] {
        var reader = Reader(text)
        reader.skipSpaces()
        guard reader.take("(") else { throw invalidOrder(text, "write a sysorder as (column:asc, other:desc)") }
        var order: [SortInput] = []
        repeat {
            reader.skipSpaces()
            let column = reader.until { $0 == ":" || $0 == "," || $0 == ")" }.trimmingSpaces
            guard !column.isEmpty else { throw invalidOrder(text, "each part names a column") }
            var descending = false
            if reader.take(":") {
                let direction = reader.until { $0 == "," || $0 == ")" }.trimmingSpaces
                switch direction {
                case "asc": descending = false
                case "desc": descending = true
                default:
                    throw invalidOrder(text, "'\(direction)' is not a direction Restable knows: use asc or desc (asc_uc, desc_uc, null_first and null_last are not supported)")
                }
            }
            order.append(SortInput(column, descending: descending))
        } while reader.take(",")
        guard reader.take(")") else { throw invalidOrder(text, "expected ',' or ')'") }
        reader.skipSpaces()
        guard reader.atEnd else { throw invalidOrder(text, "nothing may follow the closing ')'") }
        return order
    }

    static func invalid(_ text: String, _ why: String) -> RestableError {
        RestableError(.invalidFilter, "sysfilter '\(text)' cannot be read: \(why)")
    }

    static func invalidOrder(_ text: String, _ why: String) -> RestableError {
        RestableError(.invalidQuery, "sysorder '\(text)' cannot be read: \(why)")
    }

    /// A cursor over the scalars of a parameter's value.
    struct Reader {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(_ text: String) {
            scalars = Array(text.unicodeScalars)
        }

        var atEnd: Bool { position == scalars.count }

        mutating func skipSpaces() {
            while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
        }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            guard position < scalars.count, scalars[position] == scalar else { return false }
            position += 1
            return true
        }

        /// Letters, digits and `_`.
        mutating func word() -> String {
            until { !($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_") }
        }

        mutating func until(_ stop: (Unicode.Scalar) -> Bool) -> String {
            var text = String.UnicodeScalarView()
            while position < scalars.count, !stop(scalars[position]) {
                text.append(scalars[position])
                position += 1
            }
            return String(text)
        }

        /// A value: `'text'` (`''` inside is a quote), a number, `true`, `false`, or `null` (nil).
        mutating func value(in source: String) throws(RestableError) -> FilterOperand? {
            if take("'") {
                var text = String.UnicodeScalarView()
                while true {
                    guard position < scalars.count else { throw LiveAPIQuery.invalid(source, "a quoted value has no closing quote") }
                    let scalar = scalars[position]
                    position += 1
                    if scalar == "'" {
                        guard take("'") else { break }
                    }
                    text.append(scalar)
                }
                return .text(String(text))
            }
            let bare = until { $0 == "," || $0 == ")" }.trimmingSpaces
            switch bare {
            case "null": return nil
            case "true": return .value(.boolean(true))
            case "false": return .value(.boolean(false))
            default:
                guard StrictNumber.isNumber(bare) else {
                    throw LiveAPIQuery.invalid(source, "'\(bare)' is neither a number, true, false nor null: write text in single quotes")
                }
                if let integer = Int64(bare) { return .value(.integer(integer)) }
                guard let decimal = DecimalNumber(bare) else {
                    throw LiveAPIQuery.invalid(source, "the number '\(bare)' has more than \(DecimalNumber.maximumDigits) digits")
                }
                return .value(.decimal(decimal))
            }
        }
    }
}

/// A number as LAC writes it unquoted: an optional `-`, digits, an optional fraction and exponent.
enum StrictNumber {
    static func isNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        guard digits() > 0 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}

extension String {
    /// Without leading and trailing white space.
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

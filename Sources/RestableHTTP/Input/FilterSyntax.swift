public import RestableCore

/// The native dialect's filter syntax in query values: `column=value` (equality), or
/// `column=op.value` with `eq`, `neq`, `lt`, `lte`, `gt`, `gte`, `in.(a,b)`, `is.null`, `is.notnull`.
/// Kept apart from ``NativeDialect`` so that it can be tested and fuzzed on its own.
public enum FilterSyntax {
    public static func filter(column: String, _ text: String) throws(RestableError) -> FilterInput {
        // Scalars, not Characters: a combining mark after `.` must not hide the dot.
        let scalars = text.unicodeScalars
        guard let dot = scalars.firstIndex(of: ".") else { return .equals(column, text) }
        let name = String(scalars[..<dot])
        let operand = String(scalars[scalars.index(after: dot)...])
        if let op = ComparisonOperator(rawValue: name) {
            return FilterInput(column: column, operation: .compare(op), operands: [operand])
        }
        switch name {
        case "in":
            let list = operand.unicodeScalars
            guard list.count >= 2, list.first == "(", list.last == ")" else {
                throw RestableError(.invalidFilter, "write a list filter as \(column)=in.(a,b,c)", column: column)
            }
            return FilterInput(column: column, operation: .oneOf, operands: try listItems(String(list.dropFirst().dropLast()), column))
        case "is":
            switch operand {
            case "null": return FilterInput(column: column, operation: .isNull(true), operands: [])
            case "notnull": return FilterInput(column: column, operation: .isNull(false), operands: [])
            default: throw RestableError(.invalidFilter, "write \(column)=is.null or \(column)=is.notnull", column: column)
            }
        default:
            return .equals(column, text)
        }
    }

    /// The items of `a,b,"c,d"`: double quotes protect commas; `\"` is a quote inside quotes.
    /// Read scalar by scalar, so that a combining mark after a quote or comma cannot hide it.
    public static func listItems(_ text: String, _ column: String) throws(RestableError) -> [String] {
        guard !text.isEmpty else { return [] }
        var items: [String] = []
        var current = String.UnicodeScalarView()
        var quoted = false
        var escaped = false
        for character in text.unicodeScalars {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted, character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ",", !quoted {
                items.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw RestableError(.invalidFilter, "unterminated quote in the list of \(column)", column: column) }
        items.append(String(current))
        return items
    }
}

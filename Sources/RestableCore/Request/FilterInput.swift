/// A filter as a client wrote it, before it is checked against the resource's columns.
public struct FilterInput: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        case compare(ComparisonOperator)
        /// One of a list of values.
        case oneOf
        /// None of a list of values (and not null).
        case noneOf
        /// Null (`true`) or not null (`false`); takes no values.
        case isNull(Bool)
        /// Text that matches a pattern (or, `negated`, text that does not); one operand.
        case matches(TextMatch, negated: Bool)
    }

    public var column: String
    public var operation: Operation
    /// The operand(s): one for a comparison or a match, any number for `oneOf` and `noneOf`,
    /// none for `isNull`.
    public var operands: [FilterOperand]

    public init(column: String, operation: Operation, values operands: [FilterOperand]) {
        self.column = column
        self.operation = operation
        self.operands = operands
    }

    /// Operands written as text (a query string), read by the column's type.
    public init(column: String, operation: Operation, operands: [String]) {
        self.init(column: column, operation: operation, values: operands.map(FilterOperand.text))
    }

    /// `column = value`.
    public static func equals(_ column: String, _ value: String) -> FilterInput {
        FilterInput(column: column, operation: .compare(.eq), operands: [value])
    }
}

/// An operand as the client wrote it: text (from a URL, read by the column's type as a path key
/// is) or a JSON value (coerced to the column's type as a body's values are).
public enum FilterOperand: Sendable, Hashable {
    case text(String)
    case value(Value)
}

/// How a text operand matches a column's text. Every match compares Unicode scalars exactly
/// (case-sensitive, no normalization), the same on every store.
public enum TextMatch: Sendable, Hashable {
    /// The text starts with the operand.
    case prefix
    /// The text ends with the operand.
    case suffix
    /// The operand occurs in the text.
    case contains
    /// The operand is a pattern: `%` any run of characters, `_` one character, `\` takes the
    /// next character literally.
    case pattern
}

/// Filters combined with and / or, nested: the one filter model of every read and filtered
/// delete, whatever the dialect wrote.
public indirect enum FilterExpression: Sendable, Hashable {
    case condition(FilterInput)
    /// Every part holds (none: every row).
    case all([FilterExpression])
    /// At least one part holds (none: no row).
    case any([FilterExpression])

    /// The conjunction of `filters` (every row when there are none).
    public static func conjunction(_ filters: [FilterInput]) -> FilterExpression {
        .all(filters.map(FilterExpression.condition))
    }

    /// No condition: every row.
    public static let everyRow = FilterExpression.all([])

    /// How many conditions it holds.
    public var conditionCount: Int {
        switch self {
        case .condition: 1
        case .all(let parts), .any(let parts): parts.reduce(0) { $0 + $1.conditionCount }
        }
    }

    /// How deeply groups nest (a condition alone: 0).
    public var depth: Int {
        switch self {
        case .condition: 0
        case .all(let parts), .any(let parts): 1 + (parts.map(\.depth).max() ?? 0)
        }
    }

    /// True when it holds no condition (every row).
    public var isEmpty: Bool {
        if case .all(let parts) = self { return parts.allSatisfy(\.isEmpty) }
        return false
    }
}

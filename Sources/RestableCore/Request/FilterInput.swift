/// A filter as a client wrote it, before it is checked against the resource's columns.
public struct FilterInput: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        case compare(ComparisonOperator)
        /// One of a list of values.
        case oneOf
        /// Null (`true`) or not null (`false`); takes no values.
        case isNull(Bool)
    }

    public var column: String
    public var operation: Operation
    /// The operand(s) as text: one for a comparison, any number for `oneOf`, none for `isNull`.
    public var operands: [String]

    public init(column: String, operation: Operation, operands: [String]) {
        self.column = column
        self.operation = operation
        self.operands = operands
    }

    /// `column = value`.
    public static func equals(_ column: String, _ value: String) -> FilterInput {
        FilterInput(column: column, operation: .compare(.eq), operands: [value])
    }
}

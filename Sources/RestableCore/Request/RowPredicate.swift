/// A comparison operator of a filter.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case eq, neq, lt, lte, gt, gte
}

/// One condition on a row. A ``RowPredicate`` is a conjunction of them.
public enum Condition: Sendable, Hashable {
    /// `column op value`; the value is already coerced to the column's type.
    case compare(column: String, ComparisonOperator, Value)
    /// `column IS NULL` (or `IS NOT NULL` when `false`).
    case isNull(column: String, Bool)
    /// `column IN (values)`.
    case oneOf(column: String, [Value])
    /// `column NOT IN (values)`: false for a null column, also when the list is empty.
    case noneOf(column: String, [Value])
    /// The column's text matches the pattern (or, `negated`, does not); false for a null column.
    case like(column: String, TextPattern, negated: Bool)
    /// `(columns) IN ((v1, v2), ...)`: a set of (possibly composite) keys. Stores chunk long lists.
    case tupleIn(columns: [String], [[Value]])
    /// `(columns) > (values)`: rows after a key in key order (keyset pagination).
    case after(columns: [String], [Value])
    /// `(columns) < (values)`: rows before a key in key order.
    case before(columns: [String], [Value])
    /// The rows that come after a position in `order` (whose last columns are the identity, so
    /// that the order is total): those whose values of the order's columns follow `values`,
    /// nulls before every value in an ascending column and after every value in a descending
    /// one, as reads order them. Keyset pagination in any order.
    case follows(order: [SortKey], [Value])
    /// At least one of the predicates holds (none: no row). Row policies use it.
    indirect case anyOf([RowPredicate])
    /// The row's `columns` hold the key of a row of `parent` that matches the predicate
    /// (`(columns) IN (SELECT key FROM parent WHERE ...)`): the children of a set of rows.
    indirect case references(columns: [String], parent: Resource, RowPredicate)
}

/// Which rows a read, update or delete addresses: every condition must hold.
public struct RowPredicate: Sendable, Hashable {
    public var conditions: [Condition]

    public init(_ conditions: [Condition] = []) {
        self.conditions = conditions
    }

    /// The rows whose key is `key`.
    public static func key(_ key: Key, of resource: Resource) -> RowPredicate {
        RowPredicate(zip(resource.key, key.values).map { .compare(column: $0, .eq, $1) })
    }

    /// The rows whose `columns` hold one of `tuples`.
    public static func columns(_ columns: [String], in tuples: [[Value]]) -> RowPredicate {
        RowPredicate([.tupleIn(columns: columns, tuples)])
    }

    /// True when the predicate is a `tupleIn` that can match nothing.
    public var isTriviallyEmpty: Bool {
        conditions.contains {
            if case .tupleIn(_, let tuples) = $0 { return tuples.isEmpty }
            if case .oneOf(_, let values) = $0 { return values.isEmpty }
            if case .anyOf(let alternatives) = $0 { return alternatives.allSatisfy(\.isTriviallyEmpty) }
            if case .references(_, _, let parents) = $0 { return parents.isTriviallyEmpty }
            return false
        }
    }
}

/// A text pattern of literal runs and wildcards, kept apart from any store's syntax (SQLite's
/// GLOB, PostgreSQL's LIKE): each store writes it, escaping what its syntax would read.
public struct TextPattern: Sendable, Hashable {
    public enum Piece: Sendable, Hashable {
        case literal(String)
        /// Any run of characters, also none.
        case anyRun
        /// Exactly one character (Unicode scalar).
        case anyCharacter
    }

    public var pieces: [Piece]

    public init(_ pieces: [Piece]) {
        self.pieces = pieces
    }

    /// The literal text of the pattern, without its wildcards.
    public var literalText: String {
        pieces.reduce(into: "") { text, piece in
            if case .literal(let literal) = piece { text += literal }
        }
    }

    /// How many wildcards it holds.
    public var wildcardCount: Int {
        pieces.reduce(0) { count, piece in
            if case .literal = piece { return count }
            return count + 1
        }
    }

    /// A pattern in the common `%` / `_` syntax, with `\` taking the next character literally
    /// (a trailing `\` is itself). Runs of `%` are one.
    public static func parse(_ text: String) -> TextPattern {
        var pieces: [Piece] = []
        var literal = String.UnicodeScalarView()
        var escaped = false
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(String(literal))) }
            literal = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            if escaped {
                literal.append(scalar)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "%" {
                flush()
                if pieces.last != .anyRun { pieces.append(.anyRun) }
            } else if scalar == "_" {
                flush()
                pieces.append(.anyCharacter)
            } else {
                literal.append(scalar)
            }
        }
        if escaped { literal.append("\\") }
        flush()
        return TextPattern(pieces)
    }

    /// The pattern of a ``TextMatch`` whose operand is `text`.
    public static func of(_ match: TextMatch, _ text: String) -> TextPattern {
        let literal: [Piece] = text.isEmpty ? [] : [.literal(text)]
        switch match {
        case .prefix: return TextPattern(literal + [.anyRun])
        case .suffix: return TextPattern([.anyRun] + literal)
        case .contains: return TextPattern([.anyRun] + literal + [.anyRun])
        case .pattern: return parse(text)
        }
    }
}

/// One column of an ordering. Nulls sort first ascending and last descending, on every store.
public struct SortKey: Sendable, Hashable {
    public var column: String
    public var descending: Bool

    public init(_ column: String, descending: Bool = false) {
        self.column = column
        self.descending = descending
    }
}

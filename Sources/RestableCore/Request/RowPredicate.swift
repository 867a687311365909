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
    /// `(columns) IN ((v1, v2), ...)`: a set of (possibly composite) keys. Stores chunk long lists.
    case tupleIn(columns: [String], [[Value]])
    /// `(columns) > (values)`: rows after a key in key order (keyset pagination).
    case after(columns: [String], [Value])
    /// At least one of the predicates holds (none: no row). Row policies use it.
    indirect case anyOf([RowPredicate])
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
            return false
        }
    }
}

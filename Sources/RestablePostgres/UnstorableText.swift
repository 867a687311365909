import RestableCore

/// PostgreSQL's text cannot hold U+0000. No stored row can equal a text that contains it, so a
/// condition comparing with one is decided here rather than sent (the server would refuse the
/// bind): equality and a match match nothing, inequality and a non-match every non-null value. A value to store
/// that holds U+0000 is refused by the server and answered 400 (see ``PostgresErrorMapping``).
extension RowPredicate {
    var withoutUnstorableText: RowPredicate {
        guard conditions.contains(where: \.mentionsUnstorableText) else { return self }
        return RowPredicate(conditions.map(\.withoutUnstorableText))
    }
}

extension Condition {
    fileprivate var mentionsUnstorableText: Bool {
        switch self {
        case .compare(_, _, let value): value.isUnstorableText
        case .isNull: false
        case .oneOf(_, let values), .noneOf(_, let values): values.contains(where: \.isUnstorableText)
        case .like(_, let pattern, _): pattern.literalText.utf8.contains(0)
        case .tupleIn(_, let tuples): tuples.contains { $0.contains(where: \.isUnstorableText) }
        case .after(_, let values), .before(_, let values), .follows(_, let values): values.contains(where: \.isUnstorableText)
        case .anyOf(let alternatives): alternatives.contains { $0.conditions.contains(where: \.mentionsUnstorableText) }
        case .references(_, _, let parents): parents.conditions.contains(where: \.mentionsUnstorableText)
        }
    }

    fileprivate var withoutUnstorableText: Condition {
        switch self {
        case .compare(let column, .eq, let value) where value.isUnstorableText:
            .oneOf(column: column, [])
        case .compare(let column, .neq, let value) where value.isUnstorableText:
            .isNull(column: column, false)
        case .oneOf(let column, let values):
            .oneOf(column: column, values.filter { !$0.isUnstorableText })
        case .noneOf(let column, let values):
            .noneOf(column: column, values.filter { !$0.isUnstorableText })
        case .like(let column, _, let negated):
            negated ? .isNull(column: column, false) : .oneOf(column: column, [])
        case .tupleIn(let columns, let tuples):
            .tupleIn(columns: columns, tuples.filter { !$0.contains(where: \.isUnstorableText) })
        case .anyOf(let alternatives):
            .anyOf(alternatives.map(\.withoutUnstorableText))
        case .references(let columns, let parent, let parents):
            .references(columns: columns, parent: parent, parents.withoutUnstorableText)
        default:
            // An ordering against such a text is sent as it is: the server refuses it (400).
            self
        }
    }
}

extension Value {
    fileprivate var isUnstorableText: Bool {
        if case .text(let text) = self { return text.utf8.contains(0) }
        return false
    }
}

import Foundation
import RestableCore

/// Accumulates SQL text and binds; the one place that writes a placeholder.
struct Writer {
    let flavor: any SQLFlavor
    private(set) var sql = ""
    private(set) var binds: [Value] = []

    init(flavor: any SQLFlavor) {
        self.flavor = flavor
    }

    var statement: SQLStatement { SQLStatement(sql, binds: binds) }

    mutating func append(_ text: String) {
        sql += text
    }

    mutating func bind(_ value: Value) {
        binds.append(value)
        sql += flavor.placeholder(binds.count)
    }

    /// Binds `values` as a comma-separated list of placeholders.
    mutating func bind(list values: [Value]) {
        sql += flavor.placeholders(from: binds.count + 1, count: values.count)
        binds.append(contentsOf: values)
    }

    /// Appends ` WHERE ...` for a predicate on `resource` (nothing when it has no conditions).
    mutating func append(condition predicate: RowPredicate, of resource: Resource) {
        guard !predicate.conditions.isEmpty else { return }
        sql += " WHERE "
        for (index, condition) in predicate.conditions.enumerated() {
            if index > 0 { sql += " AND " }
            append(condition, of: resource)
        }
    }

    /// A column as the operand of an ordering.
    func ordered(_ column: String, of resource: Resource) -> String {
        flavor.orderedOperand(Self.expression(column, of: resource, flavor: flavor), type: resource.column(named: column)?.type)
    }

    /// A column as it is read and compared: its quoted name, or `CAST(name AS TEXT)` for a
    /// column whose database type Restable does not know (the same SQL on every flavour).
    static func expression(_ column: String, of resource: Resource, flavor: any SQLFlavor) -> String {
        let quoted = flavor.quote(column)
        return resource.column(named: column)?.readAsText == true ? "CAST(\(quoted) AS TEXT)" : quoted
    }

    private func operand(_ column: String, of resource: Resource) -> String {
        Self.expression(column, of: resource, flavor: flavor)
    }

    private mutating func append(_ condition: Condition, of resource: Resource) {
        switch condition {
        case .anyOf(let alternatives):
            guard !alternatives.isEmpty else {
                sql += "1 = 0"
                return
            }
            sql += "("
            for (index, alternative) in alternatives.enumerated() {
                if index > 0 { sql += " OR " }
                guard !alternative.conditions.isEmpty else {
                    sql += "1 = 1"
                    continue
                }
                sql += "("
                for (position, part) in alternative.conditions.enumerated() {
                    if position > 0 { sql += " AND " }
                    append(part, of: resource)
                }
                sql += ")"
            }
            sql += ")"
        case .compare(let column, let op, let value):
            let operand = op == .eq || op == .neq ? operand(column, of: resource) : ordered(column, of: resource)
            sql += operand + " " + Self.symbol(op) + " "
            bind(value)
        case .isNull(let column, let isNull):
            sql += operand(column, of: resource) + (isNull ? " IS NULL" : " IS NOT NULL")
        case .oneOf(let column, let values):
            guard !values.isEmpty else {
                sql += "1 = 0"
                return
            }
            if flavor.bindsListsAsArrays {
                sql += operand(column, of: resource) + " = ANY("
                bind(.text(PostgresFlavor.arrayLiteral(values)))
                sql += ")"
                return
            }
            sql += operand(column, of: resource) + " IN ("
            bind(list: values)
            sql += ")"
        case .noneOf(let column, let values):
            guard !values.isEmpty else {
                sql += operand(column, of: resource) + " IS NOT NULL"
                return
            }
            if flavor.bindsListsAsArrays {
                sql += operand(column, of: resource) + " <> ALL("
                bind(.text(PostgresFlavor.arrayLiteral(values)))
                sql += ")"
                return
            }
            sql += operand(column, of: resource) + " NOT IN ("
            for (index, value) in values.enumerated() {
                if index > 0 { sql += ", " }
                bind(value)
            }
            sql += ")"
        case .like(let column, let pattern, let negated):
            sql += flavor.matchOperand(operand(column, of: resource)) + (negated ? " NOT " : " ") + flavor.matchOperator + " "
            bind(.text(flavor.patternText(pattern)))
        case .references(let columns, let parent, let parents):
            let operands = columns.map { operand($0, of: resource) }
            let keys = parent.key.map { Self.expression($0, of: parent, flavor: flavor) }
            sql += (operands.count == 1 ? operands[0] : "(" + operands.joined(separator: ", ") + ")") + " IN (SELECT "
            sql += keys.joined(separator: ", ") + " FROM " + flavor.quote(parent.table)
            append(condition: parents, of: parent)
            sql += ")"
        case .follows(let order, let values):
            appendFollows(order, values, of: resource)
        case .after(let columns, let values):
            appendRowComparison(columns, ">", values, of: resource)
        case .before(let columns, let values):
            appendRowComparison(columns, "<", values, of: resource)
        case .tupleIn(let columns, let tuples):
            guard !tuples.isEmpty else {
                sql += "1 = 0"
                return
            }
            if columns.count == 1 {
                append(.oneOf(column: columns[0], tuples.map { $0[0] }), of: resource)
                return
            }
            sql += "(" + columns.map { operand($0, of: resource) }.joined(separator: ", ") + ") IN (" + flavor.rowListKeyword
            for (row, tuple) in tuples.enumerated() {
                sql += row > 0 ? ", (" : "("
                for (index, value) in tuple.enumerated() {
                    if index > 0 { sql += ", " }
                    bind(value)
                }
                sql += ")"
            }
            sql += ")"
        }
    }

    /// The rows after `values` in `order`: for each column, the rows equal on the columns before
    /// it and after on it, all compared as they order. Nulls come first ascending and last
    /// descending (``SQLBuilder/select(_:where:order:limit:offset:lock:)`` orders them so).
    private mutating func appendFollows(_ order: [SortKey], _ values: [Value], of resource: Resource) {
        sql += "("
        for index in order.indices {
            if index > 0 { sql += " OR " }
            sql += "("
            for earlier in 0..<index {
                let column = order[earlier].column
                if values[earlier].isNull {
                    sql += operand(column, of: resource) + " IS NULL AND "
                } else {
                    sql += ordered(column, of: resource) + " = "
                    bind(values[earlier])
                    sql += " AND "
                }
            }
            let key = order[index]
            switch (key.descending, values[index].isNull) {
            case (false, true):
                sql += operand(key.column, of: resource) + " IS NOT NULL"
            case (false, false):
                sql += ordered(key.column, of: resource) + " > "
                bind(values[index])
            case (true, true):
                sql += "1 = 0"
            case (true, false):
                sql += "(" + ordered(key.column, of: resource) + " < "
                bind(values[index])
                sql += " OR " + operand(key.column, of: resource) + " IS NULL)"
            }
            sql += ")"
        }
        sql += ")"
    }

    /// `(columns) op (values)`, columns as they order.
    private mutating func appendRowComparison(_ columns: [String], _ symbol: String, _ values: [Value], of resource: Resource) {
        if columns.count == 1 {
            sql += ordered(columns[0], of: resource) + " \(symbol) "
            bind(values[0])
            return
        }
        sql += "(" + columns.map { ordered($0, of: resource) }.joined(separator: ", ") + ") \(symbol) ("
        for (index, value) in values.enumerated() {
            if index > 0 { sql += ", " }
            bind(value)
        }
        sql += ")"
    }

    static func symbol(_ op: ComparisonOperator) -> String {
        switch op {
        case .eq: "="
        case .neq: "<>"
        case .lt: "<"
        case .lte: "<="
        case .gt: ">"
        case .gte: ">="
        }
    }
}

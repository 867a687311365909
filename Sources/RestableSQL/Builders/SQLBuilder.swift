import Foundation
import Synchronization
public import RestableCore

/// Builds the statements of a store session for one flavour. Owns no connection.
///
/// A predicate with a long key list becomes several statements (chunks) so that none exceeds
/// the flavour's bind limit; callers run them all in the same transaction.
public struct SQLBuilder: Sendable {
    public let flavor: any SQLFlavor
    private let insertTexts = InsertTexts()

    public init(flavor: any SQLFlavor) {
        self.flavor = flavor
    }

    /// A SELECT in `order` (empty: key order), one statement per chunk of a long list.
    public func select(
        _ resource: Resource, where predicate: RowPredicate, order: [SortKey] = [], limit: Int?, offset: Int?, lock: Bool = false
    ) -> [SQLStatement] {
        chunks(of: predicate).map { part in
            var writer = Writer(flavor: flavor)
            writer.append("SELECT ")
            writer.append(selectList(resource))
            writer.append(" FROM \(flavor.quote(resource.table))")
            writer.append(condition: part, of: resource)
            if order.isEmpty {
                writer.append(" ORDER BY " + resource.identity.map { writer.ordered($0, of: resource) }.joined(separator: ", "))
            } else {
                // Nulls first ascending, last descending: SQLite's default, which PostgreSQL reverses.
                writer.append(
                    " ORDER BY "
                        + order.map { writer.ordered($0.column, of: resource) + ($0.descending ? " DESC NULLS LAST" : " NULLS FIRST") }
                        .joined(separator: ", "))
            }
            if let limit { writer.append(" LIMIT \(limit)") }
            if let offset, offset > 0 {
                if limit == nil { writer.append(flavor is SQLiteFlavor ? " LIMIT -1" : "") }
                writer.append(" OFFSET \(offset)")
            }
            if lock { writer.append(flavor.lockingSuffix) }
            return writer.statement
        }
    }

    /// A SELECT of `columns` of the rows matching `predicate`, in no particular order, one
    /// statement per chunk of a long list.
    public func select(_ columns: [Column], of resource: Resource, where predicate: RowPredicate) -> [SQLStatement] {
        let list = selectList(columns, of: resource)
        return chunks(of: predicate).map { part in
            var writer = Writer(flavor: flavor)
            writer.append("SELECT " + list + " FROM \(flavor.quote(resource.table))")
            writer.append(condition: part, of: resource)
            return writer.statement
        }
    }

    /// Every column as it is read, in order (a column of a type Restable does not know as its text).
    func selectList(_ resource: Resource) -> String {
        selectList(resource.columns, of: resource)
    }

    /// `columns` of `resource` as they are read, in order.
    func selectList(_ columns: [Column], of resource: Resource) -> String {
        columns.map { Writer.expression($0.name, of: resource, flavor: flavor) }.joined(separator: ", ")
    }

    public func count(_ resource: Resource, where predicate: RowPredicate) -> [SQLStatement] {
        chunks(of: predicate).map { part in
            var writer = Writer(flavor: flavor)
            writer.append("SELECT COUNT(*) FROM \(flavor.quote(resource.table))")
            writer.append(condition: part, of: resource)
            return writer.statement
        }
    }

    /// An INSERT of `values`, returning the row as stored unless `returning` is false. Its
    /// text is built once for each table, set of columns and return, and then reused.
    public func insert(_ resource: Resource, values: [String: Value], returning: Bool = true) -> SQLStatement {
        var named: [String] = []
        var binds: [Value] = []
        for column in resource.columns {
            if let value = values[column.name] {
                named.append(column.name)
                binds.append(value)
            }
        }
        let key = InsertTexts.Key(table: resource.table, columns: named, returning: returning)
        if let text = insertTexts.text(for: key, of: resource) { return SQLStatement(text, binds: binds) }
        var writer = Writer(flavor: flavor)
        writer.append("INSERT INTO \(flavor.quote(resource.table))")
        if named.isEmpty {
            writer.append(" DEFAULT VALUES")
        } else {
            writer.append(" (" + named.map { flavor.quote($0) }.joined(separator: ", ") + ") VALUES (")
            for (index, value) in binds.enumerated() {
                if index > 0 { writer.append(", ") }
                writer.bind(value)
            }
            writer.append(")")
        }
        if returning { writer.append(" RETURNING " + selectList(resource)) }
        let statement = writer.statement
        insertTexts.keep(statement.sql, for: key, of: resource)
        return statement
    }

    public func update(_ resource: Resource, where predicate: RowPredicate, set values: [String: Value]) -> [SQLStatement] {
        let columns = resource.columns.filter { values[$0.name] != nil }
        return chunks(of: predicate, reserving: columns.count).map { part in
            var writer = Writer(flavor: flavor)
            writer.append("UPDATE \(flavor.quote(resource.table)) SET ")
            for (index, column) in columns.enumerated() {
                if index > 0 { writer.append(", ") }
                writer.append("\(flavor.quote(column.name)) = ")
                writer.bind(values[column.name]!)
            }
            writer.append(condition: part, of: resource)
            return writer.statement
        }
    }

    public func delete(_ resource: Resource, where predicate: RowPredicate) -> [SQLStatement] {
        chunks(of: predicate).map { part in
            var writer = Writer(flavor: flavor)
            writer.append("DELETE FROM \(flavor.quote(resource.table))")
            writer.append(condition: part, of: resource)
            return writer.statement
        }
    }

    /// A DELETE that returns `columns` of each row it deletes, as they were, one statement per
    /// chunk of a long list.
    public func delete(_ resource: Resource, where predicate: RowPredicate, returning columns: [Column]) -> [SQLStatement] {
        let list = selectList(columns, of: resource)
        return chunks(of: predicate).map { part in
            var writer = Writer(flavor: flavor)
            writer.append("DELETE FROM \(flavor.quote(resource.table))")
            writer.append(condition: part, of: resource)
            writer.append(" RETURNING " + list)
            return writer.statement
        }
    }

    /// Splits the longest `tupleIn` or `oneOf` condition so that each statement stays under the bind limit.
    func chunks(of predicate: RowPredicate, reserving reserved: Int = 0) -> [RowPredicate] {
        let otherBinds = predicate.conditions.reduce(reserved) { $0 + bindCount($1) }
        let lists = predicate.conditions.indices.filter { bindCount(predicate.conditions[$0]) > 0 && Self.isList(predicate.conditions[$0]) }
        guard otherBinds > flavor.maximumBinds,
            let index = lists.max(by: { bindCount(predicate.conditions[$0]) < bindCount(predicate.conditions[$1]) })
        else { return [predicate] }
        var condition = predicate.conditions[index]
        switch condition {
        case .tupleIn(let columns, let tuples):
            var seen = Set<[Value]>()
            condition = .tupleIn(columns: columns, tuples.filter { seen.insert($0).inserted })
        case .oneOf(let column, let values):
            var seen = Set<Value>()
            condition = .oneOf(column: column, values.filter { seen.insert($0).inserted })
        default:
            break
        }
        let budget = max(1, flavor.maximumBinds - (otherBinds - bindCount(condition)))
        var parts: [RowPredicate] = []
        switch condition {
        case .tupleIn(let columns, let tuples):
            let perChunk = max(1, budget / max(1, columns.count))
            for start in stride(from: 0, to: tuples.count, by: perChunk) {
                var part = predicate
                part.conditions[index] = .tupleIn(columns: columns, Array(tuples[start..<min(start + perChunk, tuples.count)]))
                parts.append(part)
            }
        case .oneOf(let column, let values):
            for start in stride(from: 0, to: values.count, by: budget) {
                var part = predicate
                part.conditions[index] = .oneOf(column: column, Array(values[start..<min(start + budget, values.count)]))
                parts.append(part)
            }
        default:
            return [predicate]
        }
        return parts
    }

    static func isList(_ condition: Condition) -> Bool {
        switch condition {
        case .tupleIn, .oneOf: true
        default: false
        }
    }

    /// How many binds a condition takes: a one-column list is one array bind where the flavour
    /// binds lists as arrays.
    func bindCount(_ condition: Condition) -> Int {
        switch condition {
        case .compare: 1
        case .isNull: 0
        case .oneOf(_, let values), .noneOf(_, let values): flavor.bindsListsAsArrays ? 1 : values.count
        case .like: 1
        case .tupleIn(let columns, let tuples): columns.count == 1 && flavor.bindsListsAsArrays ? 1 : columns.count * tuples.count
        case .after(_, let values), .before(_, let values): values.count
        // One branch per column, each binding the values before it and its own.
        case .follows(_, let values): values.count * (values.count + 1) / 2
        case .anyOf(let alternatives): alternatives.reduce(0) { $0 + $1.conditions.reduce(0) { $0 + bindCount($1) } }
        case .references(_, _, let parents): parents.conditions.reduce(0) { $0 + bindCount($1) }
        }
    }
}

/// The texts of the INSERTs a builder has made, by table, columns and return: the same insert
/// (a journal entry on every delete) is not built again. Each text is kept with the columns of
/// the resource it was built for, and used only for a resource with the same columns.
final class InsertTexts: Sendable {
    struct Key: Hashable {
        let table: String
        let columns: [String]
        let returning: Bool
    }

    /// At most this many texts are kept; past it the cache starts again.
    static let capacity = 512
    private let texts = Mutex<[Key: (columns: [Column], text: String)]>([:])

    func text(for key: Key, of resource: Resource) -> String? {
        texts.withLock { texts in
            guard let kept = texts[key], kept.columns == resource.columns else { return nil }
            return kept.text
        }
    }

    func keep(_ text: String, for key: Key, of resource: Resource) {
        texts.withLock { texts in
            if texts.count >= Self.capacity { texts.removeAll(keepingCapacity: true) }
            texts[key] = (resource.columns, text)
        }
    }
}

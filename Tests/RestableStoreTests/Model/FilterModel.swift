import RestableCore

/// The rules of a read, stated again simply, by brute force over rows in memory: which rows a
/// filter matches, in which order they come, and which a page holds. The engine must agree
/// with it on every store (`FilterModelTests`).
///
/// - A condition on a null column is false, except a test for null. So `neq`, `noneOf` and a
///   negated match never hold for a null column, and `noneOf` of no values is "not null".
/// - Text matches compare Unicode scalars exactly: `%` any run, `_` one scalar, `\` the next
///   scalar literally (a trailing `\` is itself).
/// - `all` of nothing holds; `any` of nothing does not.
/// - The order is the sort keys, nulls first ascending and last descending, then the key.
/// - A page: the rows after the key (or the last `limit` before it), or skip `offset`; then at
///   most `limit`.
enum FilterModel {
    static func holds(_ filter: FilterExpression, _ row: Row) -> Bool {
        switch filter {
        case .all(let parts): parts.allSatisfy { holds($0, row) }
        case .any(let parts): parts.contains { holds($0, row) }
        case .condition(let input): holds(input, row)
        }
    }

    static func holds(_ input: FilterInput, _ row: Row) -> Bool {
        let value = row[input.column]
        if case .isNull(let isNull) = input.operation { return value.isNull == isNull }
        guard !value.isNull else { return false }
        let operands = input.operands.map(operandValue)
        switch input.operation {
        case .compare(let op):
            let order = compare(value, operands[0])
            switch op {
            case .eq: return order == 0
            case .neq: return order != 0
            case .lt: return order < 0
            case .lte: return order <= 0
            case .gt: return order > 0
            case .gte: return order >= 0
            }
        case .oneOf: return operands.contains { compare(value, $0) == 0 }
        case .noneOf: return !operands.contains { compare(value, $0) == 0 }
        case .matches(let match, let negated):
            guard case .text(let text) = value, case .text(let operand) = operands[0] else { return false }
            let found: Bool
            let scalars = Array(text.unicodeScalars)
            let wanted = Array(operand.unicodeScalars)
            switch match {
            case .prefix: found = scalars.starts(with: wanted)
            case .suffix: found = scalars.reversed().starts(with: wanted.reversed())
            case .contains: found = wanted.isEmpty || (0...max(0, scalars.count - wanted.count)).contains { start in
                start + wanted.count <= scalars.count && Array(scalars[start..<start + wanted.count]) == wanted
            }
            case .pattern: found = like(scalars[...], wanted[...])
            }
            return found != negated
        case .isNull: return false
        }
    }

    /// The model's operands are values already of the column's type.
    static func operandValue(_ operand: FilterOperand) -> Value {
        switch operand {
        case .value(let value): value
        case .text(let text): .text(text)
        }
    }

    /// `%`, `_` and `\` over scalars, by recursion.
    static func like(_ text: ArraySlice<Unicode.Scalar>, _ pattern: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        switch first {
        case "%":
            return text.indices.contains { like(text[$0...], pattern.dropFirst()) } || like(text[text.endIndex...], pattern.dropFirst())
        case "_":
            return !text.isEmpty && like(text.dropFirst(), pattern.dropFirst())
        case "\\" where pattern.count > 1:
            let literal = pattern[pattern.startIndex + 1]
            return text.first == literal && like(text.dropFirst(), pattern.dropFirst(2))
        default:
            return text.first == first && like(text.dropFirst(), pattern.dropFirst())
        }
    }

    /// Same-typed values: integers and reals by number, booleans false before true, text by
    /// UTF-8 bytes (never by Swift's `String ==`, which equates `é` with `e` and a combining accent).
    static func compare(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): x < y ? -1 : x == y ? 0 : 1
        case (.real(let x), .real(let y)): x < y ? -1 : x == y ? 0 : 1
        case (.boolean(let x), .boolean(let y)): x == y ? 0 : (x ? 1 : -1)
        case (.text(let x), .text(let y)): x.utf8.elementsEqual(y.utf8) ? 0 : (x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        default: fatalError("the model compares values of one type, got \(a) and \(b)")
        }
    }

    /// Nulls first.
    static func ascending(_ a: Value, _ b: Value) -> Int {
        switch (a.isNull, b.isNull) {
        case (true, true): 0
        case (true, false): -1
        case (false, true): 1
        case (false, false): compare(a, b)
        }
    }

    /// The rows a request reads, in order: its ids.
    static func read(_ rows: [Row], _ request: ListRequest) -> [Int64] {
        var matching = rows.filter { holds(request.filter, $0) }
        matching.sort { left, right in
            for key in request.order {
                let order = ascending(left[key.column], right[key.column])
                if order != 0 { return key.descending ? order > 0 : order < 0 }
            }
            return id(left) < id(right)
        }
        var ids = matching.map(id)
        switch request.cursor {
        case .after(.values(let values))?:
            ids = ids.filter { $0 > integer(values[0]) }
        case .before(.values(let values))?:
            ids = ids.filter { $0 < integer(values[0]) }
            if let limit = request.limit { ids = Array(ids.suffix(limit)) }
            return ids
        default:
            break
        }
        ids = Array(ids.dropFirst(request.offset ?? 0))
        if let limit = request.limit { ids = Array(ids.prefix(limit)) }
        return ids
    }

    static func id(_ row: Row) -> Int64 { integer(row["id"]) }

    static func integer(_ value: Value) -> Int64 {
        if case .integer(let int) = value { return int }
        fatalError("not an integer: \(value)")
    }
}

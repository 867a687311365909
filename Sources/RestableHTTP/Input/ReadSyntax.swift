import Foundation
import RestableCore

/// The native dialect's `order` and `select` parameters, read strictly: anything they do not
/// name exactly (an empty item, an unknown direction, PostgREST's renames, casts and embedded
/// resources) is refused with `400`, never read as something close.
enum ReadSyntax {
    /// The most columns one `order` or `select` may name.
    static let largestList = 100

    /// `order=col.desc,other.asc,third`: ascending unless `.desc`; nulls come first ascending
    /// and last descending (PostgREST's `nullsfirst` and `nullslast` are refused).
    static func order(_ text: String) throws(RestableError) -> [SortInput] {
        var order: [SortInput] = []
        for item in try items(text, "order") {
            var name = item
            var descending = false
            if let dot = item.lastIndex(of: ".") {
                let suffix = item[item.index(after: dot)...]
                switch suffix {
                case "asc": name = String(item[..<dot])
                case "desc":
                    name = String(item[..<dot])
                    descending = true
                case "nullsfirst", "nullslast":
                    throw RestableError(
                        .invalidQuery,
                        "order: '\(suffix)' is not offered; nulls come first in an ascending order and last in a descending one")
                default: break
                }
            }
            guard !name.isEmpty else { throw RestableError(.invalidQuery, "order: '\(item)' names no column") }
            order.append(SortInput(name, descending: descending))
        }
        return order
    }

    /// The canonical text of an order (`name.asc,other.desc`), which a page cursor carries.
    static func text(of order: [SortInput]) -> String {
        order.map { $0.column + ($0.descending ? ".desc" : ".asc") }.joined(separator: ",")
    }

    /// `select=col1,col2`: the columns each row shows (its `@metadata` always); `*` alone is
    /// every column. Each must be a column of the resource, named once.
    static func select(_ text: String, of resource: Resource) throws(RestableError) -> [String]? {
        if text == "*" { return nil }
        var names: [String] = []
        for name in try items(text, "select") {
            guard resource.column(named: name) != nil else {
                if name.contains(where: { "():*!".contains($0) }) {
                    throw RestableError(
                        .invalidQuery, "select takes column names only, separated by commas (no renames, casts or embedded resources): '\(name)'",
                        resource: resource.name)
                }
                throw RestableError(.unknownColumn, "\(resource.name) has no column '\(name)'", resource: resource.name, column: name)
            }
            guard !names.contains(name) else {
                throw RestableError(.invalidQuery, "select names '\(name)' twice", resource: resource.name, column: name)
            }
            names.append(name)
        }
        return names
    }

    /// The comma-separated items of a list parameter, none empty.
    private static func items(_ text: String, _ parameter: String) throws(RestableError) -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard items.count <= largestList else {
            throw RestableError(.invalidQuery, "\(parameter) names at most \(largestList) columns, got \(items.count)")
        }
        for item in items where item.isEmpty {
            throw RestableError(.invalidQuery, "\(parameter) has an empty item: name columns separated by single commas")
        }
        return items
    }
}

/// The `after` of a keyset page: the values of the page's last row in the list's order,
/// with that order, as an opaque URL-safe text (base64url of ``JournalCodec``'s exact text).
/// Values are bound as given, never spliced: a forged cursor can only start a page elsewhere
/// among the rows the caller may read.
enum PageCursor {
    static func token(_ values: [Value], order: String) -> String {
        let text = JournalCodec.encode([[.text(order)], values])
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The values of a token, which must have been made for `order`.
    static func values(_ token: String, order: String) throws(RestableError) -> [Value] {
        let refused = RestableError(.invalidQuery, "query parameter 'after' is not a page cursor of this server: copy it from a Link header")
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 < 0x80 && !"+/=".utf8.contains($0) }) else { throw refused }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let rows = try? JournalCodec.decode(text), rows.count == 2, rows[0].count == 1, case .text(let made) = rows[0][0]
        else { throw refused }
        guard made == order else {
            throw RestableError(
                .invalidQuery,
                "query parameter 'after' was made for order=\(made.isEmpty ? "(the key)" : made): send the order it was made for, or start again without 'after'")
        }
        return rows[1]
    }
}

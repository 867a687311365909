import Foundation
import Hummingbird
import RestableCore

/// GET of a collection and of one row.
extension NativeDialect {
    func list(_ resource: Resource, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOptions(request, except: [.limit, .offset], here: "a GET of a collection")
        _ = try Preferences(request.headers, supported: [])
        let rows = try await engine.list(
            ListRequest(
                resource: resource.name, filters: try Self.filters(request), limit: try request.query.count("limit"),
                offset: try request.query.count("offset")))
        return JSONResponse.make(.ok, .array(rows.map { render($0, of: resource, mountPath: request.mountPath) }))
    }

    func get(_ resource: Resource, _ key: KeyInput, _ request: IncomingRequest) async throws(RestableError) -> Response {
        try Self.refuseOtherParameters(request, except: [], here: "a GET of one row")
        _ = try Preferences(request.headers, supported: [])
        let noneMatch = try EntityTagCondition.parse(request.headers, .ifNoneMatch)
        let row = try await engine.get(resource: resource.name, key: key)
        let tag = Self.entityTag(row, of: resource)
        // If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
        switch noneMatch {
        case .any?:
            return Response(status: .notModified, headers: [.eTag: tag])
        case .tags(let tags)? where tags.contains(where: { "\"\($0.opaque)\"" == tag }):
            return Response(status: .notModified, headers: [.eTag: tag])
        default:
            break
        }
        return JSONResponse.make(.ok, render(row, of: resource, mountPath: request.mountPath), headers: [.eTag: tag])
    }

    /// Filters from the query string: `column=value` (equality), or `column=op.value` with `eq`,
    /// `neq`, `lt`, `lte`, `gt`, `gte`, `in.(a,b)`, `is.null`, `is.notnull`.
    static func filters(_ request: IncomingRequest) throws(RestableError) -> [FilterInput] {
        var filters: [FilterInput] = []
        for item in request.query where Option(rawValue: item.name) == nil {
            guard let value = item.value else {
                throw RestableError(.invalidFilter, "filter '\(item.name)' needs a value (\(item.name)=value)", column: item.name)
            }
            filters.append(try filter(column: item.name, value))
        }
        return filters
    }

    static func filter(column: String, _ text: String) throws(RestableError) -> FilterInput {
        guard let dot = text.firstIndex(of: ".") else { return .equals(column, text) }
        let name = String(text[..<dot])
        let operand = String(text[text.index(after: dot)...])
        if let op = ComparisonOperator(rawValue: name) {
            return FilterInput(column: column, operation: .compare(op), operands: [operand])
        }
        switch name {
        case "in":
            guard operand.hasPrefix("("), operand.hasSuffix(")") else {
                throw RestableError(.invalidFilter, "write a list filter as \(column)=in.(a,b,c)", column: column)
            }
            return FilterInput(column: column, operation: .oneOf, operands: try listItems(String(operand.dropFirst().dropLast()), column))
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
    static func listItems(_ text: String, _ column: String) throws(RestableError) -> [String] {
        guard !text.isEmpty else { return [] }
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted, character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ",", !quoted {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw RestableError(.invalidFilter, "unterminated quote in the list of \(column)", column: column) }
        items.append(current)
        return items
    }
}

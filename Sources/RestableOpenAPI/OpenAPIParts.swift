public import OpenAPIKit
public import RestableCore

/// The pieces of an OpenAPI document that every dialect builds the same way.
public enum OpenAPIParts {
    /// The JSON schema of a column's values as Restable writes them: an integer, a string, a
    /// number (decimal and real), a boolean, or a timestamp's canonical text; `null` allowed
    /// unless the column is required.
    public static func value(of column: Column, required: Bool = true) -> JSONSchema {
        let nullable = !column.required
        let description = column.readAsText ? "read as its text; read-only" : nil
        switch column.type {
        case .integer: return .integer(required: required, nullable: nullable, description: description)
        case .text: return .string(required: required, nullable: nullable, description: description)
        case .decimal: return .number(required: required, nullable: nullable, description: "an exact decimal, written with exactly its digits")
        case .real: return .number(required: required, nullable: nullable, description: description)
        case .boolean: return .boolean(required: required, nullable: nullable, description: description)
        case .timestamp:
            return .string(
                required: required, nullable: nullable,
                description: "an instant: YYYY-MM-DDTHH:MM:SS.ffffffZ (microseconds, UTC)")
        }
    }

    /// A row as a response holds it: `@metadata` first, then every column.
    /// With `everyColumn` false, a column may be missing (a read that selects some columns).
    public static func row(_ resource: Resource, metadata: JSONSchema, required: Bool = true, everyColumn: Bool = true) -> JSONSchema {
        var properties: OrderedDictionary<String, JSONSchema> = ["@metadata": metadata]
        for column in resource.columns { properties[column.name] = value(of: column, required: everyColumn) }
        return .object(required: required, title: resource.name, properties: properties, additionalProperties: .a(false))
    }

    /// The columns a client may write: every column that is not read-only, none required
    /// (`insert`: a required column without a generated value is required).
    public static func rowInput(_ resource: Resource, insert: Bool) -> JSONSchema {
        var properties: OrderedDictionary<String, JSONSchema> = [:]
        for column in resource.columns where !column.readOnly {
            let required = insert && (column.required || resource.key.contains(column.name)) && !column.generated
            properties[column.name] = value(of: column, required: required)
        }
        return .object(
            title: resource.name + (insert ? " (new)" : " (change)"), minProperties: insert ? nil : 1, properties: properties,
            additionalProperties: .a(true))
    }

    /// The schema of one key value of a resource whose key has one column; a composite key's
    /// parts are joined with commas in a path, and sent as an array in a body.
    public static func keyValue(_ resource: Resource) -> JSONSchema {
        let columns = resource.keyColumns
        guard columns.count == 1 else { return .array(items: .one(of: columns.map { value(of: $0) })) }
        return value(of: columns[0])
    }

    /// A JSON body or answer.
    public static func json(_ schema: JSONSchema, type: OpenAPI.ContentType = .json) -> OpenAPI.Content.Map {
        [type: .b(OpenAPI.Content(schema: schema))]
    }

    /// An answer with a JSON body.
    public static func response(
        _ description: String, _ schema: JSONSchema? = nil, type: OpenAPI.ContentType = .json, headers: [String: JSONSchema] = [:]
    ) -> Either<OpenAPI.Reference<OpenAPI.Response>, OpenAPI.Response> {
        var headerMap: OpenAPI.Header.Map?
        if !headers.isEmpty {
            var map = OpenAPI.Header.Map()
            for (name, schema) in headers.sorted(by: { $0.key < $1.key }) { map[name] = .b(OpenAPI.Header(schema: schema)) }
            headerMap = map
        }
        return .b(OpenAPI.Response(description: description, headers: headerMap, content: schema.map { json($0, type: type) } ?? [:]))
    }

    /// A query parameter, optional unless `required`.
    public static func query(_ name: String, _ schema: JSONSchema, _ description: String, allowEmpty: Bool = false, required: Bool = false)
        -> Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>
    {
        .b(.query(name: name, required: required, allowEmptyValue: allowEmpty, schema: schema, description: description))
    }

    /// An optional request header.
    public static func header(_ name: String, _ description: String) -> Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter> {
        .b(.header(name: name, required: false, schema: .string, description: description))
    }

    /// A path parameter.
    public static func path(_ name: String, _ schema: JSONSchema, _ description: String) -> Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter> {
        .b(.path(name: name, schema: schema, description: description))
    }

    /// A JSON request body.
    public static func body(_ schema: JSONSchema, required: Bool = true, _ description: String) -> OpenAPI.Request {
        OpenAPI.Request(description: description, content: json(schema), required: required)
    }
}

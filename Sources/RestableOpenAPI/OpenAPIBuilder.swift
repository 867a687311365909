import Foundation
public import OpenAPIKit
public import RestableCore

/// Collects the operations of one mount and writes them as an OpenAPI 3.1 document.
///
/// A dialect adds its routes (with ``OpenAPIParts`` for the pieces every dialect shares: row
/// schemas from the resources' columns, query and header parameters, JSON bodies); the builder
/// holds the shared schemas and security schemes and encodes the document.
public struct OpenAPIBuilder: Sendable {
    /// An HTTP method a route answers.
    public enum Method: Sendable {
        case get, put, post, patch, delete
    }

    public var title: String
    public var summary: String
    /// The mount's path prefix: the document's server URL, so that its paths are the mount's own.
    public var mountPath: String
    private var paths: OrderedDictionary<OpenAPI.Path, OpenAPI.PathItem> = [:]
    private var schemas: OrderedDictionary<String, JSONSchema> = [:]
    private var schemes: OrderedDictionary<String, OpenAPI.SecurityScheme> = [:]
    /// Each alternative a caller may present: the schemes of one requirement go together.
    private var requirements: [[String]] = []

    public init(title: String, summary: String, mountPath: String) {
        self.title = title
        self.summary = summary
        self.mountPath = mountPath
    }

    /// Adds an operation at `path` (relative to the mount, `/customer/{key}`).
    public mutating func add(_ method: Method, _ path: String, _ operation: OpenAPI.Operation) {
        let key = OpenAPI.Path(rawValue: path)
        var item = paths[key] ?? OpenAPI.PathItem()
        switch method {
        case .get: item.get = operation
        case .put: item.put = operation
        case .post: item.post = operation
        case .patch: item.patch = operation
        case .delete: item.delete = operation
        }
        paths[key] = item
    }

    /// A schema kept under `components/schemas`; returns a reference to it.
    public mutating func schema(named name: String, _ schema: JSONSchema) -> JSONSchema {
        schemas[name] = schema
        return .reference(.component(named: name))
    }

    /// A way to present credentials: the schemes given are sent together; every operation
    /// accepts any one of the ways added.
    public mutating func security(_ together: [(name: String, scheme: OpenAPI.SecurityScheme)]) {
        for (name, scheme) in together { schemes[name] = scheme }
        requirements.append(together.map(\.name))
    }

    /// The document.
    public var document: OpenAPI.Document {
        var pathMap = OpenAPI.PathItem.Map()
        for (path, item) in paths { pathMap[path] = .b(item) }
        var schemaMap = OpenAPI.ComponentDictionary<JSONSchema>()
        for (name, schema) in schemas { schemaMap[OpenAPI.ComponentKey(rawValue: name)!] = schema }
        var schemeMap = OpenAPI.ComponentReferenceDictionary<OpenAPI.SecurityScheme>()
        for (name, scheme) in schemes { schemeMap[OpenAPI.ComponentKey(rawValue: name)!] = .b(scheme) }
        return OpenAPI.Document(
            openAPIVersion: .v3_1_1,
            info: OpenAPI.Document.Info(title: title, description: summary, version: OpenAPIBuilder.version),
            servers: [OpenAPI.Server(urlTemplate: URLTemplate(rawValue: mountPath.isEmpty ? "/" : mountPath)!)],
            paths: pathMap,
            components: OpenAPI.Components(schemas: schemaMap, securitySchemes: schemeMap),
            security: requirements.map { names in
                var requirement = OpenAPI.SecurityRequirement()
                for name in names { requirement[.component(named: name)] = [] }
                return requirement
            })
    }

    /// The document as JSON, its keys sorted (the same bytes for the same schema and caller).
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(document))
    }

    /// The version the documents state for the API.
    public static let version = "1"
}

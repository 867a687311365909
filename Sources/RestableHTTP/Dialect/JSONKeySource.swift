public import RestableCore

/// Delete targets read one at a time from a JSON array body: each element is a key value
/// (`3`), a composite key's values in key order (`[1, 2]`), or an object holding the key
/// columns and optionally `"@metadata": {"checksum": "..."}`.
///
/// A precondition of the whole request (`If-Match`, `?checksum`) applies to every element; an
/// element that states its own as well is refused, as the two may disagree.
public struct JSONKeySource: TargetSource {
    private var reader: JSONArrayReader
    private let resource: Resource
    private let precondition: Precondition
    /// The key's columns as a message names them, worked out once rather than per key.
    private let keyColumns: String

    /// Fails with `invalidBody` unless the body is a JSON array.
    public init(body: [UInt8], resource: Resource, precondition: Precondition = .none) throws(RestableError) {
        self.precondition = precondition
        do {
            reader = try JSONArrayReader(body)
        } catch {
            throw RestableError(.invalidBody, "the body must be a JSON array of keys: \(error)")
        }
        self.resource = resource
        self.keyColumns = resource.key.joined(separator: ", ")
    }

    public mutating func next(upTo limit: Int) throws(RestableError) -> [KeyedTarget] {
        var targets: [KeyedTarget] = []
        while targets.count < limit {
            let element: JSON?
            do {
                element = try reader.next()
            } catch {
                throw RestableError(.invalidBody, "the body is not valid JSON: \(error)")
            }
            guard let element else { break }
            targets.append(try target(element, index: reader.elementsRead - 1))
        }
        return targets
    }

    private func target(_ element: JSON, index: Int) throws(RestableError) -> KeyedTarget {
        switch element {
        case .array(let parts):
            var values: [Value] = []
            for part in parts { values.append(try scalar(part, index: index)) }
            return KeyedTarget(key: .values(values), precondition: precondition)
        case .object:
            var values: [Value] = []
            for column in resource.key {
                guard let member = element[column] else {
                    throw RestableError(
                        .invalidKey, "element \(index) of the body has no key column '\(column)'", resource: resource.name, column: column)
                }
                values.append(try scalar(member, index: index))
            }
            guard let own = try element.checksumPrecondition(in: "element \(index) of the body") else {
                return KeyedTarget(key: .values(values), precondition: precondition)
            }
            guard precondition == .none else {
                throw RestableError(
                    .invalidBody, "element \(index) of the body has its own checksum, and the request has one too (If-Match or ?checksum); send one")
            }
            return KeyedTarget(key: .values(values), precondition: own)
        default:
            return KeyedTarget(key: .values([try scalar(element, index: index)]), precondition: precondition)
        }
    }

    private func scalar(_ json: JSON, index: Int) throws(RestableError) -> Value {
        do {
            return try RowRendering.value(json, column: keyColumns)
        } catch {
            throw RestableError(.invalidKey, "element \(index) of the body is not a key: \(error.message)", resource: resource.name)
        }
    }
}

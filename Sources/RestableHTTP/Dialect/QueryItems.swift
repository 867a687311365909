/// The items of a query string, percent-decoded, in order. `+` is kept as a plus sign.
public struct QueryItems: Sendable, Sequence {
    public struct Item: Sendable, Hashable {
        public var name: String
        /// nil for a bare flag (`?ignoredeleted`).
        public var value: String?
    }

    public private(set) var items: [Item]

    public init(_ query: String?) {
        items = (query ?? "").split(separator: "&", omittingEmptySubsequences: true).map { part in
            if let equals = part.firstIndex(of: "=") {
                return Item(
                    name: PercentEncoding.decode(part[..<equals]) ?? String(part[..<equals]),
                    value: PercentEncoding.decode(part[part.index(after: equals)...]) ?? String(part[part.index(after: equals)...]))
            }
            return Item(name: PercentEncoding.decode(part) ?? String(part), value: nil)
        }
    }

    public func makeIterator() -> IndexingIterator<[Item]> {
        items.makeIterator()
    }

    /// The value of the first item named `name` (`""` for a bare flag), or nil if absent.
    public subscript(name: String) -> String? {
        items.first { $0.name == name }.map { $0.value ?? "" }
    }

    public func contains(_ name: String) -> Bool {
        items.contains { $0.name == name }
    }

    /// A flag: present bare, or with a value other than `false`/`0`/`no`.
    public func flag(_ name: String) -> Bool {
        guard let value = self[name] else { return false }
        return !["false", "0", "no"].contains(value.lowercased())
    }
}

public import RestableCore

/// The items of a query string, percent-decoded (RFC 3986), in order. `+` is kept as a plus sign.
///
/// Options are read through ``flag(_:)``, ``single(_:)`` and ``count(_:)``, which refuse a
/// value they cannot read and an option given twice; ``refuseOthers(than:)`` refuses every
/// name a route does not read, so that nothing a client sends is silently ignored.
public struct QueryItems: Sendable, Sequence {
    public struct Item: Sendable, Hashable {
        public var name: String
        /// nil for a bare flag (`?ignoredeleted`).
        public var value: String?
    }

    public private(set) var items: [Item]

    /// Fails with `invalidQuery` naming the item whose percent-escape is malformed or whose
    /// bytes are not UTF-8.
    public init(parsing query: String?) throws(RestableError) {
        var items: [Item] = []
        // Split on scalars, not Characters: a combining mark after `&` or `=` must not hide it.
        for scalars in (query ?? "").unicodeScalars.split(separator: "&", omittingEmptySubsequences: true) {
            let part = String(String.UnicodeScalarView(scalars))
            let name: String
            var value: String?
            if let equals = scalars.firstIndex(of: "=") {
                name = String(String.UnicodeScalarView(scalars[..<equals]))
                value = String(String.UnicodeScalarView(scalars[scalars.index(after: equals)...]))
            } else {
                name = part
            }
            guard let decodedName = PercentEncoding.decode(name), !decodedName.isEmpty else {
                throw RestableError(.invalidQuery, "the query item '\(part)' has a malformed or empty name")
            }
            var decodedValue: String?
            if let value {
                guard let decoded = PercentEncoding.decode(value) else {
                    throw RestableError(.invalidQuery, "the value of query parameter '\(decodedName)' has a malformed percent-escape")
                }
                decodedValue = decoded
            }
            items.append(Item(name: decodedName, value: decodedValue))
        }
        self.items = items
    }

    /// Items already decoded (tests, and requests built in code).
    public init(items: [Item]) {
        self.items = items
    }

    public func makeIterator() -> IndexingIterator<[Item]> {
        items.makeIterator()
    }

    public func contains(_ name: String) -> Bool {
        items.contains { $0.name == name }
    }

    /// The item of an option that may be given at most once, or nil if absent.
    private func only(_ name: String) throws(RestableError) -> Item? {
        let matching = items.filter { $0.name == name }
        guard matching.count <= 1 else {
            throw RestableError(.invalidQuery, "query parameter '\(name)' is given \(matching.count) times; give it once")
        }
        return matching.first
    }

    /// The value of an option that may be given at most once (`""` for a bare name), or nil if absent.
    public func single(_ name: String) throws(RestableError) -> String? {
        try only(name).map { $0.value ?? "" }
    }

    /// A boolean option, nil when absent: a bare name (`?dryrun`) is true, and a value must be
    /// `true`, `false`, `1` or `0`. Anything else (`?all=ture`, `?all=`) is `invalidQuery`.
    public func boolean(_ name: String) throws(RestableError) -> Bool? {
        guard let item = try only(name) else { return nil }
        guard let value = item.value else { return true }
        guard let flag = StrictValue.boolean(value) else {
            throw RestableError(.invalidQuery, "query parameter '\(name)' must be true or false, got '\(value)'")
        }
        return flag
    }

    /// A boolean option that is false when absent (see ``boolean(_:)``).
    public func flag(_ name: String) throws(RestableError) -> Bool {
        try boolean(name) ?? false
    }

    /// A whole-number option (zero or more), or nil if absent.
    public func count(_ name: String) throws(RestableError) -> Int? {
        guard let text = try single(name) else { return nil }
        guard let value = StrictValue.count(text) else {
            throw RestableError(.invalidQuery, "query parameter '\(name)' must be a whole number, zero or more; got '\(text)'")
        }
        return value
    }

    /// Refuses (`invalidQuery`) the first parameter whose name is not in `names`.
    public func refuseOthers(than names: Set<String>, here place: String) throws(RestableError) {
        if let unknown = items.first(where: { !names.contains($0.name) }) {
            let accepted = names.isEmpty ? "none" : names.sorted().joined(separator: ", ")
            throw RestableError(
                .invalidQuery, "query parameter '\(unknown.name)' is not understood in \(place) (accepted: \(accepted))")
        }
    }
}

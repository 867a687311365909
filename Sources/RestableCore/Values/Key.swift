/// A primary key: its values in the resource's key-column order.
public struct Key: Sendable, Hashable, CustomStringConvertible {
    public var values: [Value]

    public init(_ values: [Value]) {
        self.values = values
    }

    /// The key as it appears in a path: values joined by commas (`1,2`).
    public var description: String {
        values.map(\.description).joined(separator: ",")
    }
}

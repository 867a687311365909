/// A key as a client wrote it, before it is checked against the resource's key columns.
public enum KeyInput: Sendable, Hashable {
    /// Text parts, already percent-decoded, in key order (from a path: `1,2` is `["1", "2"]`).
    case parts([String])
    /// Loosely typed values, in key order (from a JSON body).
    case values([Value])
}

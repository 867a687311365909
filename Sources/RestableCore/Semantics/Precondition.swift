/// What the client said about the row's current version before changing it.
public enum Precondition: Sendable, Hashable {
    /// Nothing was said.
    case none
    /// The row must still have this checksum.
    case checksum(String)
    /// The client explicitly bypasses optimistic locking (`checksum=override`, `If-Match: *`).
    case override

    /// The precondition a client's checksum parameter asks for: `override` bypasses locking,
    /// anything else is the checksum the row must still have.
    public init(checksum: String) {
        self = checksum == "override" ? .override : .checksum(checksum)
    }

    /// Checks the precondition against the row's current values, under the resource's locking mode.
    public func check(_ row: Row, in resource: Resource) throws(RestableError) {
        switch (self, resource.optimisticLocking) {
        case (_, .off), (.override, _): return
        case (.none, .optional): return
        case (.none, .required):
            throw RestableError(
                .checksumRequired,
                "\(resource.name) uses required optimistic locking: send the row's checksum, or override explicitly",
                resource: resource.name, key: row.key(in: resource))
        case (.checksum(let given), _):
            let current = Checksum.of(row, in: resource)
            guard given == current else {
                throw RestableError(
                    .checksumMismatch,
                    "\(resource.name) \(row.key(in: resource)) has changed since checksum \(given) was read",
                    resource: resource.name, key: row.key(in: resource))
            }
        }
    }
}

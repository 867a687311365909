public import RestableCore

/// Strict readers of the members of a JSON body that Restable acts on: a member of the wrong
/// kind is `invalidBody` naming it, never read as absent.
extension JSON {
    /// The member `name` when it is a string; nil when absent.
    public func string(_ name: String, in place: String) throws(RestableError) -> String? {
        guard let member = self[name] else { return nil }
        guard case .string(let text) = member else {
            throw RestableError(.invalidBody, "\(place): '\(name)' must be a string, got \(member.kindName)")
        }
        return text
    }

    /// The member `name` when it is `true` or `false`; nil when absent.
    public func boolean(_ name: String, in place: String) throws(RestableError) -> Bool? {
        guard let member = self[name] else { return nil }
        guard case .bool(let flag) = member else {
            throw RestableError(.invalidBody, "\(place): '\(name)' must be true or false, got \(member.kindName)")
        }
        return flag
    }

    /// The member `name` when it is an object; nil when absent.
    public func object(_ name: String, in place: String) throws(RestableError) -> JSON? {
        guard let member = self[name] else { return nil }
        guard case .object = member else {
            throw RestableError(.invalidBody, "\(place): '\(name)' must be an object, got \(member.kindName)")
        }
        return member
    }

    /// The precondition that an object's `@metadata.checksum` states: nil when there is none,
    /// `invalidBody` when `@metadata` is not an object or the checksum is not a non-empty string.
    public func checksumPrecondition(in place: String) throws(RestableError) -> Precondition? {
        guard let metadata = try object("@metadata", in: place) else { return nil }
        guard let checksum = try metadata.string("checksum", in: place + ", @metadata") else { return nil }
        guard !checksum.isEmpty else { throw RestableError(.invalidBody, "\(place): '@metadata.checksum' must not be empty") }
        return Precondition(checksum: checksum)
    }
}

/// The access of one request, asked by the engine before it reads or changes rows: which
/// actions are granted on a resource, and which rows a granted action may touch.
struct Authorization: Sendable {
    let access: Access

    /// The rows of a resource an action may touch: every row, or those meeting `condition`
    /// (the policies named in `policies`, as bound values).
    struct RowFilter: Sendable {
        var condition: Condition
        /// `policy 'own' of role clerk`, for messages.
        var policies: [String]

        var described: String {
            policies.count == 1 ? policies[0] : "any of " + policies.joined(separator: ", ")
        }
    }

    var principal: Principal? {
        if case .principal(let principal, _) = access { return principal }
        return nil
    }

    /// The caller's roles that grant `action` on `resource`.
    private func granting(_ action: Action, on resource: String) -> [Role] {
        guard case .principal(let principal, let rules) = access else { return [] }
        return principal.roles.compactMap { rules.roles[$0] }.filter { $0.actions(on: resource).contains(action) }
    }

    func allows(_ action: Action, on resource: String) -> Bool {
        principal == nil || !granting(action, on: resource).isEmpty
    }

    /// Throws `forbidden` unless some role of the caller grants `action` on `resource`.
    func require(_ action: Action, on resource: Resource) throws(RestableError) {
        guard let principal, granting(action, on: resource.name).isEmpty else { return }
        throw RestableError(.forbidden, "\(Self.who(principal)) may not \(Self.verb(action)) \(resource.name)", resource: resource.name)
    }

    /// Which rows of `resource` the caller may act on with `action` (nil: every row). Call
    /// only once the action is granted.
    func rows(_ action: Action, of resource: Resource) -> RowFilter? {
        guard let principal else { return nil }
        var alternatives: [RowPredicate] = []
        var names: [String] = []
        for role in granting(action, on: resource.name) {
            let policies = role.policies.filter { $0.resource == resource.name && $0.actions.contains(action) }
            if policies.isEmpty { return nil }
            for policy in policies {
                alternatives.append(RowPredicate(policy.conditions.map { bind($0, of: resource, for: principal) }))
                names.append("policy '\(policy.name)' of role \(role.name)")
            }
        }
        return RowFilter(condition: .anyOf(alternatives), policies: names)
    }

    /// A policy condition with the caller's claims bound as values of the column's type.
    private func bind(_ condition: PolicyCondition, of resource: Resource, for principal: Principal) -> Condition {
        switch condition.operand {
        case .null:
            return .isNull(column: condition.column, true)
        case .values(let values):
            return .oneOf(column: condition.column, values)
        case .claim(let claim):
            guard let type = resource.column(named: condition.column)?.type else { return .oneOf(column: condition.column, []) }
            let values = (principal.claims[claim] ?? []).compactMap { value -> Value? in
                guard let coerced = try? type.coerce(value, column: condition.column), !coerced.isNull else {
                    return value.isNull ? nil : type.parse(value.description)
                }
                return coerced
            }
            return .oneOf(column: condition.column, values)
        }
    }

    /// The most rows one delete request may delete or detach (nil: no limit): the largest
    /// budget of the roles that grant the request's `action` (`delete`, or `purge` for a purge
    /// of the trash) on `resource`, unlimited if one of them has none.
    func maxRowsPerRequest(deleting resource: String, by action: Action = .delete) -> Int? {
        budget(deleting: resource, by: action, \.maxRowsPerRequest)
    }

    /// The most rows the caller may delete or detach in a sliding hour (nil: no limit).
    func maxRowsPerHour(deleting resource: String, by action: Action = .delete) -> Int? {
        budget(deleting: resource, by: action, \.maxRowsPerHour)
    }

    private func budget(deleting resource: String, by action: Action, _ limit: KeyPath<Role, Int?>) -> Int? {
        let roles = granting(action, on: resource)
        guard !roles.isEmpty else { return nil }
        var largest = 0
        for role in roles {
            guard let value = role[keyPath: limit] else { return nil }
            largest = max(largest, value)
        }
        return largest
    }

    static func who(_ principal: Principal) -> String {
        principal.roles.isEmpty
            ? "\(principal.name) (no role)" : "\(principal.name) (role\(principal.roles.count == 1 ? "" : "s") \(principal.roles.joined(separator: ", ")))"
    }

    static func verb(_ action: Action) -> String {
        switch action {
        case .read: "read"
        case .insert: "insert into"
        case .update: "update"
        case .delete: "delete from"
        case .cascade: "cascade a delete from"
        case .purge: "purge the trash of"
        }
    }
}

/// The roles of a configuration: what each may do per resource, which rows, and how much.
public struct AccessRules: Sendable {
    public var roles: [String: Role]

    public init(roles: [String: Role] = [:]) {
        self.roles = roles
    }
}

/// A named set of permissions.
public struct Role: Sendable, Hashable {
    /// Grants on every resource (`"*"` in a configuration).
    public static let everyResource = "*"

    public var name: String
    /// The actions granted per resource, by the resource's engine name (or ``everyResource``).
    public var grants: [String: Set<Action>]
    /// Rows this role may act on, where a policy applies; none means every row.
    public var policies: [RowPolicy]
    /// The most rows one delete request may delete or detach (cascades and set-nulls counted).
    public var maxRowsPerRequest: Int?
    /// The most rows one caller with this role may delete or detach in any sliding hour,
    /// counted by every server on the database.
    public var maxRowsPerHour: Int?

    public init(
        name: String, grants: [String: Set<Action>], policies: [RowPolicy] = [], maxRowsPerRequest: Int? = nil,
        maxRowsPerHour: Int? = nil
    ) {
        self.name = name
        self.grants = grants
        self.policies = policies
        self.maxRowsPerRequest = maxRowsPerRequest
        self.maxRowsPerHour = maxRowsPerHour
    }

    /// The actions this role has on a resource.
    public func actions(on resource: String) -> Set<Action> {
        (grants[resource] ?? []).union(grants[Self.everyResource] ?? [])
    }
}

/// The rows of one resource that a role may read, update, delete (or insert): every condition
/// must hold. Two policies that cover the same resource and action allow a row either allows.
public struct RowPolicy: Sendable, Hashable {
    public var name: String
    public var resource: String
    /// The actions it limits (`read`, `insert`, `update`, `delete`).
    public var actions: Set<Action>
    public var conditions: [PolicyCondition]

    public init(name: String, resource: String, actions: Set<Action>, conditions: [PolicyCondition]) {
        self.name = name
        self.resource = resource
        self.actions = actions
        self.conditions = conditions
    }
}

/// One condition of a row policy: a column against configured values or a caller's claim.
public struct PolicyCondition: Sendable, Hashable {
    public enum Operand: Sendable, Hashable {
        /// Equal to one of these values (already of the column's type).
        case values([Value])
        /// Equal to one of the values of the caller's claim; a caller without the claim, or
        /// whose claim has no value of the column's type, matches no row.
        case claim(String)
        /// Null.
        case null
    }

    public var column: String
    public var operand: Operand

    public init(column: String, operand: Operand) {
        self.column = column
        self.operand = operand
    }
}

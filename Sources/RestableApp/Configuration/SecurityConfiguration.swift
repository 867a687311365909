public import RestableAuth
public import RestableCore
public import RestableHTTP

/// The `security` section of a configuration: roles, API keys, users who sign in, JWT
/// settings and how long sessions last. Roles name resources and columns, so they are checked
/// against the schema once it is known (at load, or after introspection) by ``rules(for:)``.
public struct SecurityConfiguration: Sendable {
    public var roles: [RoleDeclaration] = []
    public var apiKeys: [APIKeyEntry] = []
    public var users: [PasswordUser] = []
    public var jwt: JWTSettings?
    /// Milliseconds.
    public var sessionLifetime: Int64 = MountSecurity.defaultSessionLifetime
    /// The file the section came from, for messages.
    var file: String

    public init(file: String) {
        self.file = file
    }

    /// The roles, every resource, column and value checked against `schema`.
    public func rules(for schema: Schema) throws(ConfigurationError) -> AccessRules {
        var roles: [String: Role] = [:]
        for declaration in self.roles {
            var grants: [String: Set<Action>] = [:]
            for grant in declaration.grants {
                guard grant.resource == Role.everyResource || schema.resource(named: grant.resource) != nil else {
                    throw error(grant.mark, "role '\(declaration.name)' grants on '\(grant.resource)', which is not a resource")
                }
                grants[grant.resource] = grant.actions
            }
            var policies: [RowPolicy] = []
            for policy in declaration.policies {
                guard let resource = schema.resource(named: policy.resource) else {
                    throw error(policy.mark, "policy '\(policy.name)' of role '\(declaration.name)' is on '\(policy.resource)', which is not a resource")
                }
                var conditions: [PolicyCondition] = []
                for condition in policy.conditions {
                    guard let column = resource.column(named: condition.column) else {
                        throw error(condition.mark, "policy '\(policy.name)': \(resource.name) has no column '\(condition.column)'")
                    }
                    switch condition.operand {
                    case .claim(let claim): conditions.append(PolicyCondition(column: column.name, operand: .claim(claim)))
                    case .null: conditions.append(PolicyCondition(column: column.name, operand: .null))
                    case .texts(let texts):
                        var values: [Value] = []
                        for text in texts {
                            guard let value = column.type.parse(text), !value.isNull else {
                                throw error(condition.mark, "policy '\(policy.name)': '\(text)' is not \(column.type.articleName) for column '\(column.name)'")
                            }
                            values.append(value)
                        }
                        conditions.append(PolicyCondition(column: column.name, operand: .values(values)))
                    }
                }
                policies.append(RowPolicy(name: policy.name, resource: resource.name, actions: policy.actions, conditions: conditions))
            }
            roles[declaration.name] = Role(
                name: declaration.name, grants: grants, policies: policies, maxRowsPerRequest: declaration.maxRowsPerRequest,
                maxRowsPerHour: declaration.maxRowsPerHour)
        }
        return AccessRules(roles: roles)
    }

    /// True when some role has an hourly budget (its table must exist).
    public var needsRowBudgetTable: Bool { roles.contains { $0.maxRowsPerHour != nil } }

    private func error(_ mark: SourceMark, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: mark.line, column: mark.column, message: message)
    }
}

/// A role as the configuration writes it, before it is checked against the schema.
public struct RoleDeclaration: Sendable {
    public struct Grant: Sendable {
        public var resource: String
        public var actions: Set<Action>
        var mark: SourceMark
    }

    public struct Policy: Sendable {
        public enum Operand: Sendable {
            case claim(String)
            case texts([String])
            case null
        }

        public struct Condition: Sendable {
            public var column: String
            public var operand: Operand
            var mark: SourceMark
        }

        public var name: String
        public var resource: String
        public var actions: Set<Action>
        public var conditions: [Condition]
        var mark: SourceMark
    }

    public var name: String
    public var grants: [Grant]
    public var policies: [Policy]
    public var maxRowsPerRequest: Int?
    public var maxRowsPerHour: Int?
}

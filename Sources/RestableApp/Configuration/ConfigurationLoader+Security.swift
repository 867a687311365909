import Foundation
import RestableAuth
import RestableCore
import RestableHTTP
import Yams

/// The `security` section: roles, API keys (as SHA-256 digests), users (bcrypt hashes), JWT
/// settings and the session lifetime.
extension ConfigurationLoader {
    func security(_ node: Node) throws(ConfigurationError) -> SecurityConfiguration {
        var security = SecurityConfiguration(file: file)
        for (key, _, value) in try members(node, "security", allowed: ["roles", "apiKeys", "users", "jwt", "sessions"]) {
            switch key {
            case "roles":
                for (name, keyNode, spec) in try members(value, "roles") { security.roles.append(try role(name, keyNode, spec)) }
            case "apiKeys":
                for (name, _, spec) in try members(value, "apiKeys") { security.apiKeys.append(try apiKey(name, spec)) }
            case "users":
                for (name, _, spec) in try members(value, "users") { security.users.append(try user(name, spec)) }
            case "jwt":
                security.jwt = try jwt(value)
            default:
                for (_, _, lifetime) in try members(value, "sessions", allowed: ["lifetime"]) {
                    security.sessionLifetime = Int64(try seconds(lifetime, "lifetime", maximum: 30 * 86_400).components.seconds) * 1000
                }
            }
        }
        let roleNames = Set(security.roles.map(\.name))
        for (name, roles) in security.apiKeys.map({ ("API key '\($0.name)'", $0.roles) }) + security.users.map({ ("user '\($0.name)'", $0.roles) }) {
            for role in roles where !roleNames.contains(role) {
                throw error(node, "\(name) has the role '\(role)', which the security section does not declare")
            }
        }
        return security
    }

    private func mark(_ node: Node) -> SourceMark { SourceMark(line: node.mark?.line, column: node.mark?.column) }

    private func role(_ name: String, _ keyNode: Node, _ node: Node) throws(ConfigurationError) -> RoleDeclaration {
        var role = RoleDeclaration(name: name, grants: [], policies: [])
        for (key, _, value) in try members(node, "role '\(name)'", allowed: ["grants", "policies", "maxRowsPerRequest", "maxRowsPerHour"]) {
            switch key {
            case "grants":
                for (resource, resourceNode, actions) in try members(value, "the grants of '\(name)'") {
                    role.grants.append(RoleDeclaration.Grant(resource: resource, actions: try self.actions(actions, allowed: Set(Action.allCases)), mark: mark(resourceNode)))
                }
            case "policies":
                for (policyName, policyNode, spec) in try members(value, "the policies of '\(name)'") {
                    role.policies.append(try policy(policyName, policyNode, spec))
                }
            default:
                guard let number = value.scalar.flatMap({ Int($0.string) }), number >= 0 else {
                    throw error(value, "\(key) must be a whole number of rows, zero or more")
                }
                if key == "maxRowsPerRequest" { role.maxRowsPerRequest = number } else { role.maxRowsPerHour = number }
            }
        }
        return role
    }

    private func actions(_ node: Node, allowed: Set<Action>) throws(ConfigurationError) -> Set<Action> {
        var actions = Set<Action>()
        for name in try names(node, "actions") {
            guard let action = Action(rawValue: name), allowed.contains(action) else {
                throw error(node, "unknown action '\(name)'; expected one of: \(allowed.map(\.rawValue).sorted().joined(separator: ", "))")
            }
            actions.insert(action)
        }
        return actions
    }

    private func policy(_ name: String, _ keyNode: Node, _ node: Node) throws(ConfigurationError) -> RoleDeclaration.Policy {
        let parts = try members(node, "policy '\(name)'", allowed: ["resource", "actions", "where"])
        func part(_ key: String) throws(ConfigurationError) -> Node {
            guard let found = parts.first(where: { $0.0 == key })?.2 else { throw error(node, "policy '\(name)' needs '\(key)'") }
            return found
        }
        let resource = try string(try part("resource"), "resource")
        let actions = try self.actions(try part("actions"), allowed: [.read, .insert, .update, .delete])
        var conditions: [RoleDeclaration.Policy.Condition] = []
        for (column, columnNode, spec) in try members(try part("where"), "the conditions of '\(name)'") {
            let operand: RoleDeclaration.Policy.Operand
            switch spec {
            case .mapping:
                let claim = try members(spec, "a condition", allowed: ["claim"])
                guard let claimNode = claim.first?.2 else { throw error(spec, "a condition mapping names a claim: { claim: sub }") }
                operand = .claim(try string(claimNode, "claim"))
            case .sequence(let items):
                var texts: [String] = []
                for item in items { texts.append(try string(item, "a value")) }
                guard !texts.isEmpty else { throw error(spec, "a list of values must not be empty") }
                operand = .texts(texts)
            case .scalar(let scalar):
                operand = scalar.string == "~" || scalar.string == "null" ? .null : .texts([scalar.string])
            default:
                throw error(spec, "a condition is a value, a list of values, null, or { claim: NAME }")
            }
            conditions.append(RoleDeclaration.Policy.Condition(column: column, operand: operand, mark: mark(columnNode)))
        }
        guard !conditions.isEmpty else { throw error(node, "policy '\(name)' needs at least one condition in 'where'") }
        return RoleDeclaration.Policy(name: name, resource: resource, actions: actions, conditions: conditions, mark: mark(keyNode))
    }

    private func claims(_ node: Node) throws(ConfigurationError) -> [String: [Value]] {
        var claims: [String: [Value]] = [:]
        for (name, _, value) in try members(node, "claims") {
            if case .sequence(let items) = value {
                var values: [Value] = []
                for item in items { values.append(.text(try string(item, "a claim value"))) }
                claims[name] = values
            } else {
                claims[name] = [.text(try string(value, "a claim value"))]
            }
        }
        return claims
    }

    private func roles(_ node: Node, _ what: String) throws(ConfigurationError) -> [String] {
        try names(node, "the roles of \(what)")
    }

    private func apiKey(_ name: String, _ node: Node) throws(ConfigurationError) -> APIKeyEntry {
        let parts = try members(node, "API key '\(name)'", allowed: ["sha256", "roles", "claims", "userName", "integrationCode"])
        guard let digestNode = parts.first(where: { $0.0 == "sha256" })?.2 else {
            throw error(node, "API key '\(name)' needs 'sha256', the digest of the key (restable hash-key prints one); the key itself never goes in a configuration")
        }
        guard let digest = SecretDigest.parse(hex: try string(digestNode, "sha256")) else {
            throw error(digestNode, "sha256 must be 64 hex digits (restable hash-key prints them)")
        }
        var entry = APIKeyEntry(name: name, digest: digest, roles: [])
        for (key, _, value) in parts {
            switch key {
            case "roles": entry.roles = try roles(value, "API key '\(name)'")
            case "claims": entry.claims = try claims(value)
            case "userName": entry.userName = try string(value, "userName")
            case "integrationCode": entry.integrationCode = try string(value, "integrationCode")
            default: break
            }
        }
        if (entry.userName == nil) != (entry.integrationCode == nil) {
            throw error(node, "API key '\(name)': an Autotask API user needs both userName and integrationCode")
        }
        return entry
    }

    private func user(_ name: String, _ node: Node) throws(ConfigurationError) -> PasswordUser {
        let parts = try members(node, "user '\(name)'", allowed: ["bcrypt", "roles", "claims"])
        guard let hashNode = parts.first(where: { $0.0 == "bcrypt" })?.2 else {
            throw error(node, "user '\(name)' needs 'bcrypt', the bcrypt hash of the password (restable hash-password prints one)")
        }
        let hash = try string(hashNode, "bcrypt")
        guard PasswordCheck.isBcryptHash(hash) else { throw error(hashNode, "bcrypt must be a bcrypt hash ($2b$12$ and 53 characters)") }
        var user = PasswordUser(name: name, bcrypt: hash, roles: [])
        for (key, _, value) in parts {
            switch key {
            case "roles": user.roles = try roles(value, "user '\(name)'")
            case "claims": user.claims = try claims(value)
            default: break
            }
        }
        return user
    }

    private func jwt(_ node: Node) throws(ConfigurationError) -> JWTSettings {
        let parts = try members(node, "jwt", allowed: ["issuer", "audience", "rolesClaim", "subjectClaim", "leeway", "keys"])
        func part(_ key: String) -> Node? { parts.first { $0.0 == key }?.2 }
        guard let issuerNode = part("issuer") else { throw error(node, "jwt needs 'issuer': tokens of any other issuer are refused") }
        guard let audienceNode = part("audience") else { throw error(node, "jwt needs 'audience': tokens for any other audience are refused") }
        guard case .sequence(let keyNodes)? = part("keys"), !keyNodes.isEmpty else { throw error(node, "jwt needs 'keys', a list of at least one key") }
        var keys: [JWTSettings.Key] = []
        for keyNode in keyNodes { keys.append(try jwtKey(keyNode)) }
        var settings = JWTSettings(keys: keys, issuer: try string(issuerNode, "issuer"), audiences: try names(audienceNode, "audience"))
        if let claim = part("rolesClaim") { settings.rolesClaim = try string(claim, "rolesClaim") }
        if let claim = part("subjectClaim") { settings.subjectClaim = try string(claim, "subjectClaim") }
        if let leeway = part("leeway") {
            guard let number = leeway.scalar.flatMap({ Int($0.string) }), (0...600).contains(number) else {
                throw error(leeway, "leeway must be a whole number of seconds from 0 to 600")
            }
            settings.leeway = number
        }
        return settings
    }

    private func jwtKey(_ node: Node) throws(ConfigurationError) -> JWTSettings.Key {
        let parts = try members(node, "a JWT key", allowed: ["algorithm", "kid", "secretEnv", "secretFile", "publicKey", "publicKeyFile"])
        func part(_ key: String) -> Node? { parts.first { $0.0 == key }?.2 }
        guard let algorithmNode = part("algorithm") else { throw error(node, "a JWT key needs 'algorithm' (HS256, RS256 or ES256)") }
        let name = try string(algorithmNode, "algorithm")
        guard let algorithm = JWTSettings.Algorithm(rawValue: name) else {
            throw error(algorithmNode, "algorithm must be HS256, RS256 or ES256, not '\(name)' (unsigned tokens are never accepted)")
        }
        let sources = ["secretEnv", "secretFile", "publicKey", "publicKeyFile"].filter { part($0) != nil }
        let expected = algorithm == .hs256 ? ["secretEnv", "secretFile"] : ["publicKey", "publicKeyFile"]
        guard sources.count == 1, let source = sources.first, expected.contains(source) else {
            throw error(node, "a \(name) key needs exactly one of \(expected.joined(separator: " or "))")
        }
        let valueNode = part(source)!
        let value = try string(valueNode, source)
        let material: JWTSettings.Key.Material
        switch source {
        case "secretEnv":
            guard let secret = ProcessInfo.processInfo.environment[value], secret.utf8.count >= 32 else {
                throw error(valueNode, "the environment variable \(value) must hold the HS256 secret, at least 32 bytes")
            }
            material = .secret(Array(secret.utf8))
        case "secretFile":
            guard let data = FileManager.default.contents(atPath: value), data.count >= 32 else {
                throw error(valueNode, "the file \(value) must hold the HS256 secret, at least 32 bytes")
            }
            material = .secret(Array(data))
        case "publicKeyFile":
            guard let data = FileManager.default.contents(atPath: value), let pem = String(data: data, encoding: .utf8) else {
                throw error(valueNode, "cannot read the public key file \(value)")
            }
            material = .pem(pem)
        default:
            material = .pem(value)
        }
        return JWTSettings.Key(algorithm: algorithm, kid: try part("kid").map { node throws(ConfigurationError) in try string(node, "kid") }, material: material)
    }
}

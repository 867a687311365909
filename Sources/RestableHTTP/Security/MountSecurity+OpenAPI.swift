import HTTPTypes
import OpenAPIKit
import RestableOpenAPI

extension MountSecurity {
    /// The security schemes of the mount, in its OpenAPI document: any one of them will do
    /// (Autotask's three headers go together).
    func describe(into builder: inout OpenAPIBuilder) {
        for method in methods {
            switch method {
            case .apiKey where liveAPIKeys:
                builder.security(
                    [("liveAPIKey", .apiKey(name: "Authorization", location: .header, description: "Authorization: CALiveAPICreator <key>:1"))])
            case .apiKey:
                builder.security([("apiKey", .apiKey(name: Self.apiKeyHeader.rawName, location: .header, description: "an API key"))])
            case .jwt:
                builder.security([("bearer", .http(scheme: "bearer", bearerFormat: "JWT", description: "a JWT signed with a configured key"))])
            case .apiUser:
                builder.security([
                    ("apiIntegrationCode", .apiKey(name: Self.integrationCodeHeader.rawName, location: .header)),
                    ("userName", .apiKey(name: Self.userNameHeader.rawName, location: .header)),
                    ("secret", .apiKey(name: Self.secretHeader.rawName, location: .header)),
                ])
            case .session:
                builder.security([
                    ("session", .apiKey(name: Self.sessionCookie, location: .cookie, description: "the session cookie that POST /login sets"))
                ])
            }
        }
    }

    /// Whether the request carries anything that looks like a credential of this mount.
    func presentsCredentials(_ headers: HTTPFields) -> Bool {
        let named: [HTTPField.Name] = [.authorization, Self.apiKeyHeader, Self.integrationCodeHeader, Self.userNameHeader, Self.secretHeader]
        if named.contains(where: { headers[$0] != nil }) { return true }
        return methods.contains(.session) && (try? CredentialHeaders.cookie(Self.sessionCookie, in: headers)) != nil
    }
}

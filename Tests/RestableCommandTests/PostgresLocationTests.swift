import RestableApp
import RestablePostgres
import Testing

/// `postgres://` URLs as libpq reads them, and the one rule about passwords: never shown.
@Suite struct PostgresLocationTests {
    @Test func everyPartIsRead() throws {
        let location = try PostgresLocation(url: "postgresql://app%40corp:p%3Ass@db.example:6543/orders?sslmode=require&connect_timeout=3")
        #expect(location.user == "app@corp")
        #expect(location.password == "p:ss")
        #expect(location.host == "db.example")
        #expect(location.port == 6543)
        #expect(location.database == "orders")
        #expect(location.sslMode == .require)
        #expect(location.connectTimeout == .seconds(3))
        #expect(location.schema == "public")
        #expect(location.poolSize == PostgresLocation.defaultPoolSize)
    }

    @Test func defaultsFollowLibpq() throws {
        let location = try PostgresLocation(url: "postgres://app@[::1]/db")
        #expect(location.host == "::1")
        #expect(location.port == 5432)
        #expect(location.password == nil)
        #expect(location.sslMode == .prefer)
    }

    @Test(arguments: [
        ("postgres://app@host/db?sslmode=allow", "unknown sslmode 'allow'"),
        ("postgres://app@host/db?sslmode=REQUIRE", "unknown sslmode 'REQUIRE'"),
        ("postgres://app@host/db?application_name=x", "unsupported URL parameter 'application_name'"),
        ("postgres://app@host/db?sslmode=require&sslmode=disable", "sslmode is given twice"),
        ("postgres://app@host/db?connect_timeout=0", "connect_timeout must be"),
        ("postgres://app@host:99999/db", "the port must be"),
        ("postgres://app@host", "names no database"),
        ("postgres://host/db", "names no user"),
        ("postgres://app@/db", "names no host"),
        ("postgres://app@host/db#x", "no #fragment"),
    ])
    func malformedURLsAreRefusedNamingTheProblem(url: String, message: String) {
        #expect(throws: PostgresLocation.URLError.self) { try PostgresLocation(url: url) }
        do {
            _ = try PostgresLocation(url: url)
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func thePasswordNeverAppearsInADescriptionOrAnError() throws {
        let location = try PostgresLocation(url: "postgres://app:s3cret-Pw@db:5432/orders?sslmode=disable")
        #expect(location.description == "postgres://app:***@db:5432/orders?sslmode=disable")
        #expect(DatabaseLocation.postgres(location).description == location.description)
        for url in ["postgres://app:s3cret-Pw@db:5432/orders?sslmode=nope", "postgres://app:s3cret-Pw@db:0/orders", "postgres://app:s3cret-Pw@db/"] {
            do {
                _ = try DatabaseLocation.parse(url)
                Issue.record("\(url) parsed")
            } catch {
                #expect(!error.description.contains("s3cret"), "\(error.description)")
            }
        }
    }
}

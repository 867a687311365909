import RestableApp
import RestableCore
import RestableSQLite
import Testing

@Suite struct ConfigurationLoaderTests {
    func failure(_ yaml: String) -> ConfigurationError? {
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.parse(yaml, file: "test.yaml") }
    }

    @Test func theDemoLoadsWithEveryRelationshipKind() throws {
        let configuration = try DemoConfiguration.load()
        #expect(configuration.schema.resources.count == 9)
        #expect(Set(configuration.schema.relationships.map(\.onDelete)) == [.cascade, .restrict, .setNull])
        #expect(configuration.schema.resource(named: "product")?.optimisticLocking == .required)
        #expect(configuration.schema.resource(named: "line_item")?.key == ["order_id", "line_no"])
        #expect(configuration.database == .sqliteFile("restable-demo.sqlite"))
    }

    @Test func theJournalIsOnByDefaultAndEachResourceMaySayOtherwise() throws {
        let plain = try ConfigurationLoader.parse("database: \"sqlite::memory:\"\nresources:\n  t: { key: id, columns: { id: integer } }\n", file: "t.yaml")
        #expect(plain.journal == JournalSettings())
        #expect(plain.journal?.retention == RetentionPeriod(parsing: "30d"))
        #expect(plain.purgeInterval == .seconds(3600))
        let configured = try ConfigurationLoader.parse(
            """
            database: "sqlite::memory:"
            retention: 90d
            server: { purgeInterval: 15m }
            resources:
              t: { key: id, columns: { id: integer }, journal: false }
              u: { key: id, columns: { id: integer }, retention: 7d }
              v: { key: id, columns: { id: integer }, journal: true }
            """, file: "t.yaml")
        #expect(configured.journal?.unjournaled == ["t"])
        #expect(configured.journal?.retention.milliseconds == Int64(7_776_000_000))
        #expect(configured.journal?.retentionByResource == ["u": RetentionPeriod(parsing: "7d")!])
        #expect(configured.journal?.retention(of: ["u", "v"]) == RetentionPeriod(parsing: "7d"))
        #expect(configured.journal?.retention(of: []) == RetentionPeriod(parsing: "90d"))
        #expect(configured.purgeInterval == .seconds(900))
        let off = try ConfigurationLoader.parse(
            "database: \"sqlite::memory:\"\njournal: false\nresources:\n  t: { key: id, columns: { id: integer } }\n", file: "t.yaml")
        #expect(off.journal == nil && off.purgeInterval == nil)
    }

    @Test(arguments: [
        ("journal: yes\n", 2, "journal must be true or false"),
        ("retention: 30 days\n", 2, "retention must be a whole number and a unit"),
        ("retention: 0d\n", 2, "retention must be"),
        ("journal: false\nretention: 7d\n", 3, "'retention' is for the journal, which 'journal: false' turns off"),
        ("server: { purgeInterval: hourly }\n", 2, "purgeInterval must be"),
        ("journal: false\nserver: { purgeInterval: 1h }\n", 3, "purgeInterval is for the journal, which 'journal: false' turns off"),
    ])
    func journalSettingsAreReadStrictly(top: String, line: Int, message: String) {
        let error = failure("database: \"sqlite::memory:\"\n" + top + "resources:\n  t: { key: id, columns: { id: integer } }\n")
        #expect(error?.line == line)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func aResourceJournalSettingNeedsTheJournal() {
        let off = failure("database: \"sqlite::memory:\"\njournal: false\nresources:\n  t: { key: id, columns: { id: integer }, retention: 7d }\n")
        #expect(off?.message.contains("which 'journal: false' at the top turns off") == true)
        let both = failure("database: \"sqlite::memory:\"\nresources:\n  t: { key: id, columns: { id: integer }, journal: false, retention: 7d }\n")
        #expect(both?.message.contains("says 'journal: false', so a 'retention'") == true)
        let typo = failure("database: \"sqlite::memory:\"\nresources:\n  t: { key: id, columns: { id: integer }, journal: off }\n")
        #expect(typo?.message == "journal must be true or false")
    }

    @Test func unknownKeyNamesFileLineAndKey() {
        let error = failure("""
            database: "sqlite::memory:"
            resources:
              thing:
                key: id
                colums: { id: integer }
            """)
        #expect(error?.file == "test.yaml")
        #expect(error?.line == 5)
        #expect(error?.message.contains("unknown key 'colums'") == true)
        #expect(error?.description.hasPrefix("test.yaml:5:") == true)
    }

    @Test func relationshipToAMissingResource() {
        let error = failure("""
            database: "sqlite::memory:"
            resources:
              thing: { key: id, columns: { id: integer, owner: integer } }
            relationships:
              - { parent: owner, child: thing, columns: [owner], onDelete: cascade }
            """)
        #expect(error?.line == 5)
        #expect(error?.message == "relationship parent 'owner' is not a resource")
    }

    @Test func invalidYAMLIsReportedWithItsPosition() {
        let error = failure("database: \"sqlite::memory:\"\nresources: [unclosed\n")
        #expect(error?.line != nil)
        #expect(error?.message.hasPrefix("invalid YAML") == true)
    }

    @Test(arguments: [
        ("relationships:\n  - { parent: a, child: b, columns: [x], onDelete: explode }", "onDelete must be restrict, cascade or setNull"),
        ("relationships:\n  - { parent: a, child: b, columns: [id], onDelete: setNull }", "needs nullable columns"),
        ("relationships:\n  - { parent: a, child: b, columns: [x, y], onDelete: cascade }", "its key has 1"),
        ("relationships:\n  - { parent: a, child: b, columns: [name], onDelete: cascade }", "is text but references"),
        ("mounts:\n  - { path: /x, dialect: soap }", "unknown dialect 'soap'"),
        ("seed:\n  a: [{ id: one }]", "expects an integer"),
        ("seed:\n  b: [{ x: 1 }]", "seed row of 'b': column 'id' of b must be provided"),
    ])
    func semanticErrors(section: String, message: String) {
        let error = failure("""
            database: "sqlite::memory:"
            resources:
              a: { key: id, columns: { id: integer } }
              b: { key: id, columns: { id: integer, x: integer, y: integer, name: text } }
            \(section)
            """)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect((error?.line ?? 0) >= 5)
    }

    @Test(arguments: [
        ("resources:\n  a: { key: id, columns: { id: integer } }", "needs a 'database'"),
        ("database: mysql://x\nresources:\n  a: { key: id, columns: { id: integer } }", "unsupported database URL"),
        ("database: \"sqlite::memory:\"\nresources:\n  a: { key: nope, columns: { id: integer } }", "not one of its columns"),
        ("database: \"sqlite::memory:\"\nresources:\n  a: { key: id, columns: { id: int } }", "no known type"),
        ("database: \"sqlite::memory:\"\nresources:\n  a: { key: id, columns: { id: integer, b: text generated } }", "can be 'generated'"),
    ])
    func structuralErrors(yaml: String, message: String) {
        let error = failure(yaml)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test func repeatedKeysNameTheirLine() {
        let error = failure("database: x\nresources: {}\nresources: {}\n")
        #expect(error?.message == "'resources' appears more than once in the same mapping")
        #expect(error?.line != nil)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func columnsMayBeWrittenAsMappings() throws {
        let configuration = try ConfigurationLoader.parse("""
            database: sqlite:data.sqlite
            resources:
              a:
                table: a_table
                key: [id]
                columns:
                  id: { type: integer, generated: true }
                  label: { type: text, unique: true, required: true }
            server: { maxBodySize: 1024 }
            """, file: "t.yaml")
        let resource = try #require(configuration.schema.resource(named: "a"))
        #expect(resource.table == "a_table")
        #expect(resource.columns == [
            Column(name: "id", type: .integer, generated: true), Column(name: "label", type: .text, required: true, unique: true),
        ])
        #expect(configuration.maximumBodySize == 1024)
        #expect(configuration.mounts == [MountConfiguration(path: "/api", dialect: .native)])
    }

    @Test func databaseURLs() {
        #expect(DatabaseLocation(url: "sqlite::memory:") == .sqliteMemory)
        #expect(DatabaseLocation(url: "sqlite:data/x.sqlite") == .sqliteFile("data/x.sqlite"))
        #expect(DatabaseLocation(url: "sqlite:///tmp/x.sqlite") == .sqliteFile("/tmp/x.sqlite"))
        #expect(DatabaseLocation(url: "sqlite:") == nil)
        #expect(DatabaseLocation(url: "postgres://localhost/x") == nil, "no user")
        #expect(DatabaseLocation(url: "mysql://app@localhost/x") == nil)
    }
}

extension ConfigurationLoaderTests {
    /// A relationship whose columns repeat used to pass, then trap on the first set-null delete.
    @Test func relationshipColumnsMustNotRepeat() {
        let error = failure("""
            database: "sqlite::memory:"
            resources:
              pair: { key: [x, y], columns: { x: integer, y: integer } }
              item: { key: id, columns: { id: integer, p: integer } }
            relationships:
              - { parent: pair, child: item, columns: [p, p], onDelete: setNull }
            """)
        #expect(error?.line == 6)
        #expect(error?.message == "relationship columns name 'p' more than once; each key column of pair needs its own column")
    }
}

extension ConfigurationLoaderTests {
    @Test func limitsHaveSafeDefaultsAndAreConfigurable() throws {
        let defaults = try ConfigurationLoader.parse("""
            database: sqlite:data.sqlite
            resources: { a: { key: id, columns: { id: integer } } }
            """, file: "t.yaml")
        #expect(defaults.requestTimeout == .seconds(120))
        #expect(defaults.jobTimeout == .seconds(3600))
        #expect(defaults.sqlite.statementTimeout == .seconds(30))
        #expect(defaults.sqlite.synchronous == .normal)
        #expect(defaults.mounts[0].maximumBodySize == nil)
        #expect(defaults.mounts[0].maximumKeys == 1_000_000)
        let set = try ConfigurationLoader.parse("""
            database: sqlite:data.sqlite
            resources: { a: { key: id, columns: { id: integer } } }
            sqlite: { statementTimeout: 2.5, synchronous: full }
            server: { requestTimeout: 0, jobTimeout: 0 }
            mounts:
              - { path: /api, dialect: native, maxBodySize: 1024, maxKeysPerRequest: 500 }
            """, file: "t.yaml")
        #expect(set.requestTimeout == nil)
        #expect(set.jobTimeout == nil)
        #expect(set.sqlite.statementTimeout == .milliseconds(2500))
        #expect(set.sqlite.synchronous == .full)
        #expect(set.mounts[0].maximumBodySize == 1024)
        #expect(set.mounts[0].maximumKeys == 500)
        let off = try ConfigurationLoader.parse("""
            database: sqlite:data.sqlite
            resources: { a: { key: id, columns: { id: integer } } }
            sqlite: { statementTimeout: 0 }
            """, file: "t.yaml")
        #expect(off.sqlite.statementTimeout == nil)
    }

    @Test func badLimitsAreRefusedNamingTheKey() {
        let base = "database: sqlite:data.sqlite\nresources: { a: { key: id, columns: { id: integer } } }\n"
        #expect(failure(base + "sqlite: { statementTimeout: soon }")?.message == "statementTimeout must be a number of seconds, more than 0 and at most 86400")
        #expect(failure(base + "sqlite: { synchronous: FULL }")?.message == "synchronous must be normal or full")
        #expect(failure(base + "sqlite: { synchonous: full }")?.message.contains("synchonous") == true)
        #expect(failure(base + "sqlite: { timeout: 1 }")?.message.contains("unknown key 'timeout'") == true)
        #expect(failure(base + "server: { requestTimeout: -1 }")?.message == "requestTimeout must be a number of seconds, more than 0 and at most 86400")
        #expect(failure(base + "server: { jobTimeout: forever }")?.message == "jobTimeout must be a number of seconds, more than 0 and at most 86400")
        #expect(failure(base + "mounts: [{ path: /api, dialect: native, maxBodySize: 0 }]")?.message == "maxBodySize must be a positive number of bytes")
        #expect(
            failure(base + "mounts: [{ path: /api, dialect: native, maxKeysPerRequest: many }]")?.message
                == "maxKeysPerRequest must be a whole number of keys from 1 to 100000000")
    }
}

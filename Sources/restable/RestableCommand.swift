import ArgumentParser
import Foundation
import Logging
import RestableApp
import RestableAuth
import RestableCore

/// `restable`: serves the tables of a database as REST resources.
@main
struct RestableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restable",
        abstract: "Serve the tables of a database as REST resources, with safe deletes.",
        subcommands: [Serve.self, CheckConfig.self, Check.self, Introspect.self, Purge.self, Delete.self, DemoConfig.self, HashKey.self, HashPassword.self],
        defaultSubcommand: Serve.self)

    /// As ArgumentParser's own, but a usage error of `restable delete` exits with 2, the status
    /// its scripts branch on for "nothing was deleted" (other commands exit with 64).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if arguments.first == "delete", exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Prints a configuration error the way compilers do and exits with status 2.
func failConfiguration(_ error: ConfigurationError) -> ExitCode {
    FileHandle.standardError.write(Data("restable: \(error)\n".utf8))
    return ExitCode(2)
}

/// Loads `--config` (or the bundled demo) and applies `--database`; `databaseSource` names where
/// the URL came from (`--database` or `RESTABLE_DATABASE_URL`) in messages.
///
/// With `introspect`, the resources are read from the database: without a file, `database` is
/// required and everything else takes its default; a file must say `introspect: true`.
/// `schema` overrides the PostgreSQL schema served.
func loadConfiguration(
    config: String?, database: String?, databaseSource: String = "--database", introspect: Bool = false, schema: String? = nil
) throws -> Configuration {
    do {
        var configuration: Configuration
        if let config {
            configuration = try ConfigurationLoader.load(path: config)
            if introspect, configuration.introspection == nil {
                throw ConfigurationError(
                    file: config,
                    message: "--introspect serves the database as found, but this file declares its resources: add 'introspect: true' (and 'overrides') to it, or leave out --introspect")
            }
        } else if introspect {
            guard database != nil else {
                throw ConfigurationError(file: "--introspect", message: "needs the database: --database URL (or \(Environment.database))")
            }
            configuration = Configuration(
                database: .sqliteMemory, schema: Schema(resources: []), mounts: [MountConfiguration(path: "/api", dialect: .native)],
                source: "--introspect")
            configuration.introspection = IntrospectionSettings(file: "--introspect")
        } else {
            configuration = try DemoConfiguration.load()
        }
        if let database {
            do {
                configuration.database = configuration.postgres.applied(to: try DatabaseLocation.parse(database))
            } catch {
                throw ConfigurationError(file: databaseSource, message: error.message)
            }
        }
        if let schema {
            guard case .postgres = configuration.database else {
                throw ConfigurationError(file: "--schema", message: "a schema is for a PostgreSQL database; \(configuration.database) is not one")
            }
            configuration.postgres.schema = schema
            configuration.database = configuration.postgres.applied(to: configuration.database)
        }
        return configuration
    } catch let error as ConfigurationError {
        throw failConfiguration(error)
    }
}

/// Every `serve` option can also come from the environment: a flag beats the environment, which
/// beats the configuration file, which beats the default.
enum Environment {
    static let config = "RESTABLE_CONFIG"
    static let database = "RESTABLE_DATABASE_URL"
    static let host = "RESTABLE_HOST"
    static let port = "RESTABLE_PORT"
    static let logLevel = "RESTABLE_LOG_LEVEL"
    static let logFormat = "RESTABLE_LOG_FORMAT"

    /// The variable's value; an empty value counts as unset.
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The database URL from `--database`, else from `RESTABLE_DATABASE_URL`, with the name of
    /// where it came from (for messages about it).
    static func database(flag: String?) -> (url: String?, source: String) {
        if let flag { return (flag, "--database") }
        if let url = value(database) { return (url, database) }
        return (nil, "--database")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the HTTP server.")

    @Option(help: "A YAML configuration file (default: the bundled demo; environment: RESTABLE_CONFIG).")
    var config: String?

    @Option(
        help: ArgumentHelp(
            "The database URL, overriding the configuration's (environment: RESTABLE_DATABASE_URL).",
            discussion: "sqlite:PATH, sqlite::memory: or postgres://user:password@host:5432/database?sslmode=require"))
    var database: String?

    @Flag(help: "Serve the database as found: its tables become resources at /api (needs --database, or a file that says introspect: true).")
    var introspect = false

    @Option(help: "The PostgreSQL schema to serve (default: the configuration's postgres.schema, or public).")
    var schema: String?

    @Option(help: "The address to listen on (default 127.0.0.1, or the configuration's server.host; environment: RESTABLE_HOST).")
    var host: String?

    @Option(help: "The port to listen on, 0 for a free one (default 8080, or server.port; environment: RESTABLE_PORT).")
    var port: Int?

    @Option(help: "The log level: trace, debug, info, notice, warning, error or critical (environment: RESTABLE_LOG_LEVEL).")
    var logLevel: String?

    @Option(help: "How log entries are written: text, or json (one object a line) (default: the configuration's server.logFormat, or text; environment: RESTABLE_LOG_FORMAT).")
    var logFormat: String?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level '\(logLevel)'") }
        if let logFormat, Configuration.LogFormat(rawValue: logFormat) == nil {
            throw ValidationError("unknown --log-format '\(logFormat)'; expected text or json")
        }
    }

    /// The effective options: each flag, else its environment variable (checked as strictly as
    /// the flag), else the configuration file's value, else the default.
    func resolved(_ configuration: Configuration) throws -> (host: String, port: Int, logLevel: Logger.Level, logFormat: Configuration.LogFormat) {
        func invalid(_ message: String) -> ExitCode {
            FileHandle.standardError.write(Data("restable: \(message)\n".utf8))
            return ExitCode(2)
        }
        var port = configuration.port ?? 8080
        if let flag = self.port {
            port = flag
        } else if let text = Environment.value(Environment.port) {
            guard let number = Int(text), (0...65535).contains(number) else {
                throw invalid("\(Environment.port) must be a port number from 0 to 65535, not '\(text)'")
            }
            port = number
        }
        let levelText = logLevel ?? Environment.value(Environment.logLevel) ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw invalid("unknown log level '\(levelText)' in \(Environment.logLevel); expected trace, debug, info, notice, warning, error or critical")
        }
        let host = host ?? Environment.value(Environment.host) ?? configuration.host ?? "127.0.0.1"
        var format = configuration.logFormat
        if let text = logFormat ?? Environment.value(Environment.logFormat) {
            guard let given = Configuration.LogFormat(rawValue: text) else {
                throw invalid("unknown log format '\(text)' in \(Environment.logFormat); expected text or json")
            }
            format = given
        }
        return (host, port, level, format)
    }

    func run() async throws {
        let database = Environment.database(flag: database)
        let configuration = try loadConfiguration(
            config: config ?? Environment.value(Environment.config), database: database.url, databaseSource: database.source,
            introspect: introspect, schema: schema)
        let (host, port, level, format) = try resolved(configuration)
        if format == .json {
            // Every logger of the process, the libraries' too, writes JSON lines.
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        }
        var logger = Logger(label: "restable")
        logger.logLevel = level
        let options = ServeOptions(host: host, port: port, logger: logger) { port in
            let line = "Restable is listening on http://\(host):\(port) (database \(configuration.database))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        let application: any ApplicationProtocolBox
        do {
            application = try await ApplicationBox(
                buildApplication(configuration, options: options), for: configuration)
        } catch let error as ConfigurationError {
            throw failConfiguration(error)
        } catch let error as RestableError where error.code == .storeUnavailable {
            FileHandle.standardError.write(
                Data("restable: cannot start: the database \(configuration.database) cannot be reached (is it running, and is the URL right?)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("restable: cannot start: \(error)\n".utf8))
            throw ExitCode(1)
        }
        do {
            try await application.run()
        } catch {
            guard let problem = listeningProblem(error, host: host, port: port) else { throw error }
            FileHandle.standardError.write(Data("restable: cannot start: \(problem)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Check a configuration file and print what it declares.")

    @Argument(help: "The YAML configuration file.")
    var file: String

    func run() async throws {
        let configuration = try loadConfiguration(config: file, database: nil)
        print("\(file): OK")
        summary(configuration).forEach { print($0) }
    }
}

/// What a configuration declares, one line each (check-config and check print it).
func summary(_ configuration: Configuration) -> [String] {
    var lines = ["  database: \(configuration.database)"]
    if configuration.introspection != nil {
        lines.append("  resources: read from the database at start-up (introspect: true; restable check shows them)")
    }
    for resource in configuration.schema.resources {
        var line = "  resource \(resource.name): key (\(resource.key.joined(separator: ", "))), \(resource.columns.count) columns, locking \(resource.optimisticLocking.rawValue)"
        if resource.table != resource.name { line += ", table \(resource.table)" }
        if let reason = resource.readOnly { line += ", read-only (\(reason.explanation))" }
        lines.append(line)
    }
    for relationship in configuration.schema.relationships {
        lines.append("  \(relationship.child)(\(relationship.columns.joined(separator: ", "))) -> \(relationship.parent): on delete \(relationship.onDelete.rawValue)")
    }
    for mount in configuration.mounts {
        let access =
            mount.authentication.isEmpty
            ? (mount.anonymous ? "anonymous (anyone who reaches the port)" : "no authentication (loopback only)")
            : "authentication \(mount.authentication.map(\.rawValue).joined(separator: ", "))"
        lines.append("  mount \(mount.path): \(mount.dialect.rawValue), \(access)")
    }
    if let security = configuration.security {
        for role in security.roles.sorted(by: { $0.name < $1.name }) {
            var line = "  role \(role.name): grants on \(role.grants.map(\.resource).sorted().joined(separator: ", ")), \(role.policies.count) polic\(role.policies.count == 1 ? "y" : "ies")"
            if let budget = role.maxRowsPerRequest { line += ", at most \(budget) rows a request" }
            if let budget = role.maxRowsPerHour { line += ", at most \(budget) rows an hour" }
            lines.append(line)
        }
        lines.append("  \(security.apiKeys.count) API key\(security.apiKeys.count == 1 ? "" : "s"), \(security.users.count) user\(security.users.count == 1 ? "" : "s")\(security.jwt == nil ? "" : ", JWT from \(security.jwt!.issuer)")")
    }
    return lines
}

/// Writes `restable: message` on standard error.
func complain(_ message: String) {
    FileHandle.standardError.write(Data("restable: \(message)\n".utf8))
}

/// A logger that keeps quiet: the commands that print to standard output report their own errors.
func quietLogger() -> Logger {
    var logger = Logger(label: "restable")
    logger.logLevel = .critical
    return logger
}

/// Opens an existing database and reads its catalog; exit status 1 with the reason if it cannot.
func describeDatabase(_ location: DatabaseLocation) async throws -> DatabaseDescription {
    let store: any Store
    do {
        store = try openExistingStore(location, logger: quietLogger())
    } catch {
        complain("cannot open \(location): \(error)")
        throw ExitCode(1)
    }
    do {
        guard let catalog = store as? any DatabaseIntrospecting else { throw RestableError(.internalError, "this store cannot read its catalog") }
        let description = try await catalog.describe()
        await store.close()
        return description
    } catch {
        await store.close()
        complain("cannot read the catalog of \(location): \(error)")
        throw ExitCode(1)
    }
}

struct Introspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the tables of an existing database and print the configuration that serves them.",
        discussion: "The YAML goes to standard output, warnings (types served as text, read-only tables) to standard error.")

    @Option(help: "The database URL (environment: RESTABLE_DATABASE_URL): sqlite:PATH or postgres://user:password@host:5432/database")
    var database: String?

    @Option(help: "The PostgreSQL schema to read (default public).")
    var schema: String?

    func run() async throws {
        let database = Environment.database(flag: database)
        guard let url = database.url else {
            throw failConfiguration(ConfigurationError(file: "--database", message: "introspect needs the database: --database URL (or \(Environment.database))"))
        }
        let configuration = try loadConfiguration(
            config: nil, database: url, databaseSource: database.source, introspect: true, schema: schema)
        let description = try await describeDatabase(configuration.database)
        guard !description.tables.isEmpty else {
            complain("the database \(configuration.database) has no tables or views")
            throw ExitCode(1)
        }
        let (schema, warnings): (Schema, [String])
        do {
            (schema, warnings) = try Introspection.schema(description, file: "--database")
        } catch {
            throw failConfiguration(error)
        }
        for warning in warnings { complain("warning: \(warning)") }
        print(
            ConfigurationWriter.yaml(
                database: configuration.database, schema: schema, description: description,
                header: ["Read from the database by restable introspect. Edit it, then: restable serve --config FILE"]),
            terminator: "")
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a configuration against its live database: missing tables or columns, other types, foreign keys.",
        discussion: "Exit status 0 when serve would start (warnings and notes are printed), 1 when it would not, 2 for a configuration error.")

    @Option(help: "The YAML configuration file (environment: RESTABLE_CONFIG).")
    var config: String?

    @Option(help: "The database URL, overriding the configuration's (environment: RESTABLE_DATABASE_URL).")
    var database: String?

    @Option(help: "The PostgreSQL schema (default: the configuration's postgres.schema, or public).")
    var schema: String?

    func run() async throws {
        guard let file = config ?? Environment.value(Environment.config) else {
            throw failConfiguration(ConfigurationError(file: "--config", message: "check needs a configuration file: --config FILE"))
        }
        let database = Environment.database(flag: database)
        var configuration = try loadConfiguration(
            config: file, database: database.url, databaseSource: database.source,
            schema: schema)
        let description = try await describeDatabase(configuration.database)
        var findings: [ConfigurationCheck.Finding] = []
        if configuration.introspection != nil {
            do {
                let (resolved, warnings) = try Introspection.resolve(configuration, with: description)
                configuration = resolved
                findings = warnings.map { ConfigurationCheck.Finding(.warning, $0) }
            } catch {
                throw failConfiguration(error)
            }
        } else {
            findings = ConfigurationCheck.findings(configuration.schema, against: description)
        }
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        let notes = findings.count - errors - warnings
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        print("\(file) against \(configuration.database): \(count(errors, "error")), \(count(warnings, "warning")), \(count(notes, "note"))")
        for severity in [ConfigurationCheck.Finding.Severity.error, .warning, .note] {
            for finding in findings where finding.severity == severity { print("  \(finding)") }
        }
        summary(configuration).forEach { print($0) }
        if errors > 0 { throw ExitCode(1) }
    }
}

struct DemoConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-config", abstract: "Print the bundled demo configuration (a starting point for your own).")

    func run() {
        print(DemoConfiguration.yaml)
    }
}

struct HashKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a new API key and print it with its SHA-256 digest (the digest goes in the configuration; the key to the client).")

    @Flag(help: "Read an existing key from standard input (one line) and print only its digest.")
    var stdin = false

    func run() throws {
        if stdin {
            guard let key = readLine(strippingNewline: true), !key.isEmpty else {
                complain("hash-key --stdin reads the key from standard input; it was empty")
                throw ExitCode(2)
            }
            print(SecretDigest.hex(of: key))
            return
        }
        let key = SecretDigest.randomSecret()
        print("key:    \(key)")
        print("sha256: \(SecretDigest.hex(of: key))")
    }
}

struct HashPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a password from standard input (one line) and print its bcrypt hash, for a user of the configuration.")

    @Option(help: "The bcrypt cost, from 10 to 16 (each step doubles the time a check takes).")
    var cost = 12

    func run() throws {
        guard (10...16).contains(cost) else {
            complain("--cost must be from 10 to 16")
            throw ExitCode(2)
        }
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            complain("hash-password reads the password from standard input; it was empty")
            throw ExitCode(2)
        }
        print(PasswordCheck.hash(password, cost: UInt8(cost)))
    }
}

import ArgumentParser
import Foundation
import Logging
import RestableApp
import RestableCore

/// `restable`: serves the tables of a database as REST resources.
@main
struct RestableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restable",
        abstract: "Serve the tables of a database as REST resources, with safe deletes.",
        subcommands: [Serve.self, CheckConfig.self, DemoConfig.self],
        defaultSubcommand: Serve.self)
}

/// Prints a configuration error the way compilers do and exits with status 2.
func failConfiguration(_ error: ConfigurationError) -> ExitCode {
    FileHandle.standardError.write(Data("restable: \(error)\n".utf8))
    return ExitCode(2)
}

/// Loads `--config` (or the bundled demo) and applies `--database`; `databaseSource` names where
/// the URL came from (`--database` or `RESTABLE_DATABASE_URL`) in messages.
func loadConfiguration(config: String?, database: String?, databaseSource: String = "--database") throws -> Configuration {
    do {
        var configuration: Configuration
        if let config {
            configuration = try ConfigurationLoader.load(path: config)
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

    /// The variable's value; an empty value counts as unset.
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
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

    @Option(help: "The address to listen on (default 127.0.0.1, or the configuration's server.host; environment: RESTABLE_HOST).")
    var host: String?

    @Option(help: "The port to listen on, 0 for a free one (default 8080, or server.port; environment: RESTABLE_PORT).")
    var port: Int?

    @Option(help: "The log level: trace, debug, info, notice, warning, error or critical (environment: RESTABLE_LOG_LEVEL).")
    var logLevel: String?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    /// The effective options: each flag, else its environment variable (checked as strictly as
    /// the flag), else the configuration file's value, else the default.
    func resolved(_ configuration: Configuration) throws -> (host: String, port: Int, logLevel: Logger.Level) {
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
        return (host, port, level)
    }

    func run() async throws {
        let databaseFromEnvironment = database == nil ? Environment.value(Environment.database) : nil
        let configuration = try loadConfiguration(
            config: config ?? Environment.value(Environment.config), database: database ?? databaseFromEnvironment,
            databaseSource: databaseFromEnvironment == nil ? "--database" : Environment.database)
        let (host, port, level) = try resolved(configuration)
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
        } catch {
            FileHandle.standardError.write(Data("restable: cannot start: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try await application.run()
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
        print("  database: \(configuration.database)")
        for resource in configuration.schema.resources {
            print("  resource \(resource.name): key (\(resource.key.joined(separator: ", "))), \(resource.columns.count) columns, locking \(resource.optimisticLocking.rawValue)")
        }
        for relationship in configuration.schema.relationships {
            print("  \(relationship.child)(\(relationship.columns.joined(separator: ", "))) -> \(relationship.parent): on delete \(relationship.onDelete.rawValue)")
        }
        for mount in configuration.mounts { print("  mount \(mount.path): \(mount.dialect.rawValue)") }
    }
}

struct DemoConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-config", abstract: "Print the bundled demo configuration (a starting point for your own).")

    func run() {
        print(DemoConfiguration.yaml)
    }
}

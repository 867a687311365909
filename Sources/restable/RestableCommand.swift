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

/// Loads `--config` (or the bundled demo) and applies `--database`.
func loadConfiguration(config: String?, database: String?) throws -> Configuration {
    do {
        var configuration: Configuration
        if let config {
            configuration = try ConfigurationLoader.load(path: config)
        } else {
            configuration = try DemoConfiguration.load()
        }
        if let database {
            guard let location = DatabaseLocation(url: database) else {
                throw ConfigurationError(
                    file: "--database", message: "unsupported database URL '\(database)': use sqlite:PATH or sqlite::memory:")
            }
            configuration.database = location
        }
        return configuration
    } catch let error as ConfigurationError {
        throw failConfiguration(error)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the HTTP server.")

    @Option(help: "A YAML configuration file (default: the bundled demo).")
    var config: String?

    @Option(help: "The database URL, overriding the configuration's: sqlite:PATH or sqlite::memory:.")
    var database: String?

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "The log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    func run() async throws {
        let configuration = try loadConfiguration(config: config, database: database)
        var logger = Logger(label: "restable")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let host = host
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

import ArgumentParser
import Foundation
import RestableApp
import RestableCore

/// `restable purge`: removes from the journal what is past its retention, as a server does in
/// the background, or everything older than `--older-than`.
struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove from the journal of deletes every transaction past its retention.",
        discussion: """
            Each transaction goes once it is older than the shortest 'retention' among the resources it touched \
            (30d unless the configuration says otherwise), or than --older-than when given. Safe while servers run \
            on the same database; it never creates a table, and with 'journal: false' it purges what was journaled \
            before. Exit status 0 when done, 1 when the database cannot be reached or read, 2 for a \
            configuration error, 64 for a wrong flag.
            """)

    @Option(help: "The YAML configuration file (default: the bundled demo; environment: RESTABLE_CONFIG).")
    var config: String?

    @Option(help: "The database URL, overriding the configuration's (environment: RESTABLE_DATABASE_URL).")
    var database: String?

    @Option(help: "The PostgreSQL schema (default: the configuration's postgres.schema, or public).")
    var schema: String?

    @Option(help: "Purge every transaction older than this, whatever the retention says: 30d, 12h, 90m, 3600s or 2w.")
    var olderThan: String?

    @Flag(help: "Count what would be purged, and purge nothing.")
    var dryRun = false

    func validate() throws {
        if let olderThan, RetentionPeriod(parsing: olderThan) == nil {
            throw ValidationError("--older-than must be \(RetentionPeriod.expected), not '\(olderThan)'")
        }
    }

    func run() async throws {
        let database = Environment.database(flag: database)
        let configuration = try loadConfiguration(
            config: config ?? Environment.value(Environment.config), database: database.url, databaseSource: database.source, schema: schema)
        let store: any Store
        do {
            store = try openExistingStore(configuration.database, sqlite: configuration.sqlite, logger: quietLogger())
        } catch {
            complain("cannot open \(configuration.database): \(error)")
            throw ExitCode(1)
        }
        let report: PurgeReport
        do {
            let resolved = try await introspected(configuration, store: store, logger: quietLogger())
            // A database no server has journaled into has nothing to purge, and is left as it is.
            guard let catalog = store as? any DatabaseIntrospecting,
                try await catalog.describe().table(named: RestableTables.transactions.table) != nil
            else {
                await store.close()
                print("there is no journal in \(configuration.database): nothing to purge")
                return
            }
            var engine = Engine(schema: resolved.schema, store: store, logger: quietLogger())
            // With `journal: false`, a journal kept before is purged by the default retention.
            engine.journal = resolved.journal ?? JournalSettings()
            engine.requestTimeout = nil
            report = try await engine.purgeJournal(olderThan: olderThan.flatMap(RetentionPeriod.init(parsing:)), dryRun: dryRun)
            await store.close()
        } catch let error as ConfigurationError {
            await store.close()
            throw failConfiguration(error)
        } catch {
            await store.close()
            complain("cannot purge the journal of \(configuration.database): \(error)")
            throw ExitCode(1)
        }
        let what = olderThan.map { "older than \($0)" } ?? "past their retention"
        func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        print(
            "\(dryRun ? "would purge" : "purged") \(count(report.transactions, "transaction", "transactions")) \(what) (\(count(report.entries, "journal entry", "journal entries")), \(count(report.rows, "row", "rows")) they had touched) from \(configuration.database)")
    }
}

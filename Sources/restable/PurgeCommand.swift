import ArgumentParser
import Foundation
import RestableApp
import RestableCore

/// `restable purge`: removes from the journal, and from the trash of resources with soft delete,
/// what is past its retention, as a server does in the background, or everything older than
/// `--older-than`.
struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove from the journal of deletes, and from the trash, everything past its retention.",
        discussion: """
            Each transaction goes once it is older than the shortest 'retention' among the resources it touched \
            (30d unless the configuration says otherwise), or than --older-than when given. Safe while servers run \
            on the same database; it never creates a table, and with 'journal: false' it purges what was journaled \
            before. Rows in the trash of a resource with softDelete go once they have been there longer than its \
            retention, with every rule of a delete (a row a live row still restricts stays). Exit status 0 when done, 1 when the database cannot be reached or read, 2 for a \
            configuration error, 64 for a wrong flag.
            """)

    @Option(help: "The YAML configuration file (default: the bundled demo; environment: RESTABLE_CONFIG).")
    var config: String?

    @Option(help: "The database URL, overriding the configuration's (environment: RESTABLE_DATABASE_URL).")
    var database: String?

    @Option(help: "The PostgreSQL schema (default: the configuration's postgres.schema, or public).")
    var schema: String?

    @Option(help: "Purge every transaction, and every row in the trash, older than this, whatever the retention says: 30d, 12h, 90m, 3600s or 2w.")
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
        var report: PurgeReport?
        var trash: TrashPurgeReport?
        do {
            let resolved = try await introspected(configuration, store: store, logger: quietLogger())
            var engine = Engine(schema: resolved.schema, store: store, logger: quietLogger())
            engine.requestTimeout = nil
            let olderThan = olderThan.flatMap(RetentionPeriod.init(parsing:))
            // A database no server has journaled into has no journal to purge, and none is made.
            let journaled = try await (store as? any DatabaseIntrospecting)?.describe().table(named: RestableTables.transactions.table) != nil
            if journaled {
                // With `journal: false`, a journal kept before is purged by the default retention.
                engine.journal = resolved.journal ?? JournalSettings()
                report = try await engine.purgeJournal(olderThan: olderThan, dryRun: dryRun)
                engine.journal = resolved.journal
            }
            if resolved.schema.keepsTrash {
                trash = try await engine.purgeTrash(olderThan: olderThan, dryRun: dryRun)
            }
            await store.close()
        } catch let error as ConfigurationError {
            await store.close()
            throw failConfiguration(error)
        } catch {
            await store.close()
            complain("cannot purge \(configuration.database): \(error)")
            throw ExitCode(1)
        }
        let what = olderThan.map { "older than \($0)" } ?? "past their retention"
        func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        let verb = dryRun ? "would purge" : "purged"
        if let report {
            print(
                "\(verb) \(count(report.transactions, "transaction", "transactions")) \(what) (\(count(report.entries, "journal entry", "journal entries")), \(count(report.rows, "row", "rows")) they had touched) from \(configuration.database)")
        } else if trash == nil {
            print("there is no journal in \(configuration.database): nothing to purge")
        }
        if let trash {
            if trash.resources.isEmpty {
                print("\(verb) no row from the trash: nothing in it is \(olderThan.map { "older than \($0)" } ?? "past its retention")")
            }
            for entry in trash.resources {
                let kept = entry.kept == 0 ? "" : "; \(count(entry.kept, "row stays", "rows stay")): a row that stays still restricts \(entry.kept == 1 ? "it" : "them")"
                print("\(verb) \(count(entry.purged, "\(entry.resource) row", "\(entry.resource) rows")) from the trash \(what) (\(count(entry.rows, "row", "rows")) with their cascades and set-nulls)\(kept)")
            }
        }
    }
}

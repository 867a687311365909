import ArgumentParser
import Foundation
import RestableBulk
import Synchronization

/// `restable delete`: deletes the keys of a file through a server's native API, a chunk a
/// request, resumable after an interruption.
struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete the rows whose keys a file lists, through a Restable server, a chunk at a time; resumable.",
        discussion: """
            Credentials come from the environment: RESTABLE_API_KEY (sent as X-API-Key) or RESTABLE_TOKEN \
            (sent as Authorization: Bearer). Exit status: 0 every key deleted (or missing, with \
            --ignore-missing), 1 some failed, 2 nothing deleted or a usage error, 130 interrupted.
            """)

    @Option(help: "The server's native mount, such as http://127.0.0.1:8080/api.")
    var url: String

    @Argument(help: "The resource whose rows are deleted.")
    var resource: String

    @Option(help: "The keys: a file, or - for standard input.")
    var keysFrom: String

    @Option(help: "lines (one key a line; a composite key's parts separated by commas), csv (with a header line) or jsonl (one JSON key a line). Default: by the file's extension, else lines.")
    var format: String?

    @Option(help: "For csv: the columns that hold the key, in key order, separated by commas (default: the first ones).")
    var columns: String?

    @Option(help: "How many keys a request deletes (1 to 100000).")
    var chunkSize = 1_000

    @Flag(help: "A key that names no row is not a failure.")
    var ignoreMissing = false

    @Flag(help: "A chunk with a failing key deletes nothing (the default).")
    var strict = false

    @Flag(help: "A chunk deletes every key that can go, whatever the others do.")
    var lenient = false

    @Flag(help: "Check every chunk and report what would go, deleting nothing.")
    var dryRun = false

    @Option(help: "The most rows of the resource the whole run may delete; a chunk that would pass it is refused and the run stops.")
    var maxAffected: Int?

    @Option(help: "Where the run keeps its place (default: the keys file's path with .checkpoint; none for standard input).")
    var checkpoint: String?

    @Option(help: "How often a chunk is tried again after 503, 429 or a lost connection.")
    var retries = 8

    func validate() throws {
        guard (1...100_000).contains(chunkSize) else { throw ValidationError("--chunk-size must be from 1 to 100000") }
        guard !(strict && lenient) else { throw ValidationError("--strict and --lenient: give one") }
        if let maxAffected, maxAffected < 0 { throw ValidationError("--max-affected must be zero or more") }
        guard (0...100).contains(retries) else { throw ValidationError("--retries must be from 0 to 100") }
        if let format, KeyFileFormat(rawValue: format) == nil { throw ValidationError("--format must be lines, csv or jsonl") }
        if columns != nil, (format.flatMap(KeyFileFormat.init(rawValue:)) ?? KeyFileFormat.guess(keysFrom)) != .csv || keysFrom == "-" && format != "csv" {
            throw ValidationError("--columns is for CSV keys (--format csv, or a .csv file)")
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url) != nil else {
            throw ValidationError("--url must be an http:// or https:// URL, such as http://127.0.0.1:8080/api")
        }
    }

    func run() async throws {
        var settings = BulkDeleteSettings(url: url, resource: resource)
        settings.chunkSize = chunkSize
        settings.ignoreMissing = ignoreMissing
        settings.lenient = lenient
        settings.dryRun = dryRun
        settings.maxAffected = maxAffected
        settings.retries = retries
        let key = ProcessInfo.processInfo.environment["RESTABLE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let token = ProcessInfo.processInfo.environment["RESTABLE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if key != nil, token != nil { fail("RESTABLE_API_KEY and RESTABLE_TOKEN are both set: set one") }
        if let key { settings.headers.append(("X-API-Key", key)) }
        if let token { settings.headers.append(("Authorization", "Bearer " + token)) }

        let standardInput = keysFrom == "-"
        let handle: FileHandle
        if standardInput {
            handle = .standardInput
        } else {
            guard let file = FileHandle(forReadingAtPath: keysFrom) else { fail("cannot read the keys file '\(keysFrom)'") }
            handle = file
        }
        let format = format.flatMap(KeyFileFormat.init(rawValue:)) ?? (standardInput ? .lines : KeyFileFormat.guess(keysFrom))
        let checkpointPath = checkpoint ?? (standardInput ? nil : keysFrom + ".checkpoint")
        let deletion = BulkDeleteRun(settings: settings, checkpoint: checkpointPath)
        let types: [KeyPartType]
        do {
            types = format == .jsonl ? [] : try await deletion.keyTypes()
        } catch {
            fail("\(error)")
        }
        var reader = KeyReader(
            lines: LineSource(handle: handle), format: format, types: types,
            columns: columns.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
        let total = standardInput ? nil : Self.countRecords(keysFrom, format: format)
        let progress = Progress(total: total, terminal: isatty(STDERR_FILENO) != 0)
        deletion.onProgress = { done, totals in progress.show(done, totals) }
        let interrupts = Interrupts(deletion)
        let result: (totals: Totals, records: Int, resumedFrom: Int, interrupted: Bool)
        do {
            result = try await deletion.run(&reader)
        } catch {
            progress.end()
            let partial = deletion.totalsSoFar
            if let partial { Self.report(partial, settings: settings, dryRun: dryRun) }
            FileHandle.standardError.write(Data("restable delete: stopped: \(error)\n".utf8))
            if let checkpointPath, FileManager.default.fileExists(atPath: checkpointPath) {
                FileHandle.standardError.write(Data("the checkpoint \(checkpointPath) keeps the place of the chunks answered\n".utf8))
            }
            throw ExitCode((partial.map { $0.deleted + $0.alreadyGone } ?? 0) > 0 ? 1 : 2)
        }
        interrupts.cancel()
        progress.end()
        if result.resumedFrom > 0 {
            print("resumed after \(result.resumedFrom) keys done (checkpoint \(checkpointPath ?? "-"))")
        }
        Self.report(result.totals, settings: settings, dryRun: dryRun)
        if result.interrupted {
            print("interrupted after \(result.records) keys: run the same command to go on from there (checkpoint \(checkpointPath ?? "none: the keys came from standard input"))")
            throw ExitCode(130)
        }
        let status = BulkDeleteRun.exitStatus(result.totals, settings: settings, records: result.records)
        if status != 0 { throw ExitCode(status) }
    }

    /// The summary a script reads: one `name: count` a line.
    static func report(_ totals: Totals, settings: BulkDeleteSettings, dryRun: Bool) {
        var lines = ["\(dryRun ? "would delete" : "deleted"): \(totals.deleted)"]
        if totals.cascaded > 0 { lines.append("\(dryRun ? "would change" : "changed") through relationships: \(totals.cascaded)") }
        if totals.alreadyGone > 0 { lines.append("gone already (a chunk sent again after an interruption): \(totals.alreadyGone)") }
        lines.append("missing: \(totals.missing)\(settings.ignoreMissing ? " (ignored)" : "")")
        lines.append("failed: \(totals.failedCount)")
        for (code, count) in totals.failed.sorted(by: { $0.key < $1.key }) { lines.append("  \(code): \(count)") }
        if totals.heldBack > 0 { lines.append("held back (their chunk had a failure; strict): \(totals.heldBack)") }
        print(lines.joined(separator: "\n"))
    }

    /// How many records a file holds (non-blank lines, less a CSV header), for the progress bar.
    static func countRecords(_ path: String, format: KeyFileFormat) -> Int? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var count = 0
        var blank = true
        for byte in data {
            if byte == UInt8(ascii: "\n") {
                if !blank { count += 1 }
                blank = true
            } else if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t"), byte != UInt8(ascii: "\r") {
                blank = false
            }
        }
        if !blank { count += 1 }
        return format == .csv ? max(0, count - 1) : count
    }
}

private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("restable delete: \(message)\n".utf8))
    exit(2)
}

/// The first Ctrl-C stops the run after the chunk in flight; a second ends the process at once
/// (the checkpoint marks the chunk in flight, so the next run sends it again, safely).
final class Interrupts: @unchecked Sendable {
    private let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    private let count = Atomic<Int>(0)

    init(_ deletion: BulkDeleteRun) {
        signal(SIGINT, SIG_IGN)
        source.setEventHandler { [unowned self] in
            if self.count.add(1, ordering: .relaxed).newValue == 1 {
                deletion.stopRequested.store(true, ordering: .relaxed)
                FileHandle.standardError.write(Data("\nstopping after the chunk in flight (Ctrl-C again to stop at once)\n".utf8))
            } else {
                exit(130)
            }
        }
        source.resume()
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}

/// A progress bar redrawn in place on a terminal; elsewhere a plain line every two seconds.
final class Progress: @unchecked Sendable {
    let total: Int?
    let terminal: Bool
    private let started = ContinuousClock.now
    private var lastLine = ContinuousClock.now
    private var drawn = false
    /// The records done when the run began (a resumed run's), left out of the rate.
    private var base: Int?

    init(total: Int?, terminal: Bool) {
        self.total = total
        self.terminal = terminal
    }

    func show(_ done: Int, _ totals: Totals) {
        let now = ContinuousClock.now
        guard let base else {
            base = done
            return
        }
        if !terminal, now - lastLine < .seconds(2) { return }
        lastLine = now
        let seconds = Double((now - started).components.seconds) + Double((now - started).components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int(Double(done - base) / seconds) : 0
        var text = ""
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            if terminal { text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " }
            text += "\(done)/\(total) keys (\(Int(fraction * 100))%)"
        } else {
            text += "\(done) keys"
        }
        text += ", \(rate)/s, deleted \(totals.deleted), missing \(totals.missing), failed \(totals.failedCount)"
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
            drawn = true
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    func end() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

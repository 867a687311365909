import Foundation
import Testing

/// The built `restable` binary, started as a user would, on 127.0.0.1 and a free port.
final class LiveServer {
    let process = Process()
    let directory: URL
    let output: URL
    private(set) var port = 0

    /// The binary next to the test bundle (`swift test` builds it), or `RESTABLE_BINARY`.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["RESTABLE_BINARY"] { return URL(fileURLWithPath: path) }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("restable")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/restable")
    }

    /// Runs `restable` with `arguments` in `directory` and waits for it to listen (or exit).
    init(_ arguments: [String], in directory: URL) throws {
        self.directory = directory
        output = directory.appendingPathComponent("server-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Waits until the server prints the address it listens on; returns false if it exited first.
    func waitUntilListening(timeout: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let range = log.range(of: "listening on http://127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) {
                    self.port = port
                    return true
                }
            }
            if !process.isRunning { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGKILL: no shutdown of any kind.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Starts real curl against the server without waiting for it.
    func startCurl(
        _ method: String, _ path: String, headers: [String] = [], bodyFile: URL? = nil, body: String? = nil, cookies: Bool = false,
        maxTime: Double? = nil, output: Pipe? = nil
    ) throws -> Process {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["curl", "-s", "-X", method, "-w", "\n%{http_code}"] + headers.flatMap { ["-H", $0] }
        if let bodyFile { arguments += ["--data-binary", "@" + bodyFile.path] }
        if let body { arguments += ["-d", body] }
        if cookies { arguments += ["-b", "cookies.txt"] }
        if let maxTime { arguments += ["--max-time", String(maxTime)] }
        curl.arguments = arguments + ["http://127.0.0.1:\(port)\(path)"]
        curl.standardOutput = output ?? FileHandle.nullDevice
        try curl.run()
        return curl
    }

    /// Runs real curl against the server: the status code and the body.
    func curl(
        _ method: String, _ path: String, headers: [String] = [], bodyFile: URL? = nil, cookies: Bool = false, body: String? = nil
    ) throws -> (status: Int, body: String) {
        let pipe = Pipe()
        let curl = try startCurl(method, path, headers: headers, bodyFile: bodyFile, body: body, cookies: cookies, output: pipe)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }
}

extension LiveServer {
    /// Runs curl with `options` on `path` and returns its exit status (22 for an HTTP error with `--fail`).
    func curlExitCode(_ options: [String], _ path: String) throws -> Int32 {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-s", "-o", "/dev/null"] + options + ["http://127.0.0.1:\(port)\(path)"]
        try curl.run()
        curl.waitUntilExit()
        return curl.terminationStatus
    }
}

/// A bash script (for `bash -c`) that closes every descriptor above standard error that it
/// inherited, then becomes the command its arguments name. Foundation's Process learns that a
/// child ended when a socket it hands down closes; a command that leaves a process running (a
/// database server, a cluster of servers) would otherwise hold that socket for as long as it runs.
let closingInheritedDescriptors = #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@""#

/// A temporary folder, removed afterwards.
func withTemporaryDirectory(_ body: (URL) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restable-live-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try await body(folder)
}

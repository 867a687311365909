import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to 127.0.0.1, for requests that curl will not send: slow, stalled,
/// malformed, or held open.
final class RawConnection {
    private let socket: Int32

    /// Connects to `port` on 127.0.0.1.
    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(socket)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit {
        close(socket)
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes the sending side (the server reads end of input).
    func shutdownWrite() {
        _ = shutdown(socket, Int32(SHUT_WR))
    }

    /// Reads until the server closes the connection or `timeout` passes; returns what came, whether the
    /// connection was closed, and how long it took.
    func readUntilClosed(timeout: Duration = .seconds(10)) -> (text: String, closed: Bool, elapsed: Duration) {
        let started = ContinuousClock.now
        var data: [UInt8] = []
        while ContinuousClock.now - started < timeout {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 50)
            if ready <= 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (String(decoding: data, as: UTF8.self), true, ContinuousClock.now - started) }
            data += buffer[0..<count]
        }
        return (String(decoding: data, as: UTF8.self), false, ContinuousClock.now - started)
    }

    /// Reads until `marker` has arrived (or the connection closes, or `timeout` passes).
    func read(until marker: String, timeout: Duration = .seconds(10)) -> String {
        let started = ContinuousClock.now
        var data: [UInt8] = []
        while ContinuousClock.now - started < timeout {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 50) <= 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data += buffer[0..<count]
            if String(decoding: data, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: data, as: UTF8.self)
    }
}

import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not listen, in words for `restable: cannot start: ...`, or nil when
/// `error` is not a failure to listen.
public func listeningProblem(_ error: any Error, host: String, port: Int) -> String? {
    guard let error = error as? IOError else { return nil }
    switch error.errnoCode {
    case EADDRINUSE: return "\(host):\(port) is already in use (is another server listening on that port?)"
    case EACCES: return "no permission to listen on \(host):\(port) (ports below 1024 need privileges)"
    case EADDRNOTAVAIL: return "\(host) is not an address of this machine"
    default: return nil
    }
}

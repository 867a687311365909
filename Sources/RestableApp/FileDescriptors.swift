import Logging
import RestableHTTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes room for `server.maxConnections` open connections: raises the soft limit on open files
/// towards the hard limit when it is lower than the connections need (plus a margin for the
/// database and the listening socket), and warns when even the hard limit is too low, since
/// connections would then fail to be accepted before the cap answers them 503.
func ensureFileDescriptors(for limits: ServerLimits, logger: Logger) {
    #if os(Linux)
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    let resource = RLIMIT_NOFILE
    #endif
    var current = rlimit()
    guard getrlimit(resource, &current) == 0 else { return }
    let needed = rlim_t(limits.maximumConnections) + 64
    guard current.rlim_cur < needed else { return }
    var raised = current
    raised.rlim_cur = min(needed, current.rlim_max)
    if raised.rlim_cur > current.rlim_cur, setrlimit(resource, &raised) == 0 {
        logger.info("raised the limit on open files to \(raised.rlim_cur) for maxConnections \(limits.maximumConnections)")
        current = raised
    }
    if current.rlim_cur < needed {
        logger.warning(
            "the process may open only \(current.rlim_cur) files, fewer than maxConnections \(limits.maximumConnections) needs (\(needed)); lower maxConnections or raise the limit (ulimit -n)"
        )
    }
}

/// How long the server waits for each part of a request, and how many connections it holds.
///
/// Every limit is a defence against a client that holds the server open: one that sends its
/// headers a byte at a time, stops in the middle of a body, keeps a connection open doing
/// nothing, or opens connections until the process runs out of file descriptors.
public struct ServerLimits: Sendable, Hashable {
    /// From the first byte of a request (or, on a new connection, from the moment it opens) to
    /// the end of its headers. Past it the connection is answered 408 and closed.
    public var headerTimeout: Duration
    /// The longest pause between two pieces of a request body. Past it the request is answered
    /// 408 and the connection closed.
    public var bodyTimeout: Duration
    /// How long a kept-alive connection may wait, with no request in progress, for the next
    /// request to start. Past it the connection is closed.
    public var idleTimeout: Duration
    /// How many connections are open at once. A connection beyond it is answered 503 and closed
    /// at once.
    public var maximumConnections: Int
    /// On SIGTERM or SIGINT, how long requests in flight may take to finish; connections still
    /// open after it are closed.
    public var shutdownTimeout: Duration

    public init(
        headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60),
        maximumConnections: Int = 1024, shutdownTimeout: Duration = .seconds(10)
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.shutdownTimeout = shutdownTimeout
    }
}

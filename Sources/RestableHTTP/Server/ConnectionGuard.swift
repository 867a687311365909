import Logging
import NIOCore
import NIOHTTP1

/// Thrown into a request's body when the client pauses longer than the body timeout; the
/// responder answers it with 408 and the connection closes.
public struct RequestBodyTimeout: Error, CustomStringConvertible {
    public var description: String { "the request body stalled" }
}

/// Guards one HTTP/1 connection, between NIO's HTTP/1 decoder and the conversion to HTTP types
/// (where the request's version and raw headers are still known):
///
/// - closes a connection whose request headers take longer than the header timeout (counted from
///   the first byte of the request, or from the moment a new connection opens), answering 408
///   when no other request is in progress;
/// - throws ``RequestBodyTimeout`` into a request whose body pauses longer than the body timeout;
/// - closes a kept-alive connection that waits longer than the idle timeout for its next request;
/// - answers 503 and closes when the connection is beyond the connection cap;
/// - answers 400 to an HTTP/1.1 request without exactly one `Host` (RFC 9112 §3.2) and 417 to an
///   expectation other than `100-continue`, then closes;
/// - sends `100 Continue` for `Expect: 100-continue`, unless the announced body is over the
///   maximum (the responder then answers 413 without reading it);
/// - closes the connection after the response to a request that did not ask to keep it open
///   (HTTP/1.0 without `keep-alive`, `Connection: close`), or to which the server answered
///   `Connection: close`;
/// - on graceful shutdown, closes the connection once the shutdown timeout has passed, whatever
///   it is doing.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Reading {
        /// No request is being read; `bytesSeen` once the first byte of the next one has come.
        case betweenRequests(bytesSeen: Bool)
        case body
        /// A rejected or timed-out request: its parts and anything after it are dropped.
        case discarding
    }

    private enum Timeout {
        case header, body, idle
    }

    private let limits: ServerLimits
    private let maximumBodySize: Int
    private let overCapacity: Bool
    private let logger: Logger

    private var context: ChannelHandlerContext?
    private var activated = false
    private var closing = false
    private var quiescing = false
    private var reading = Reading.betweenRequests(bytesSeen: false)
    /// No request has started on this connection yet (the header timeout runs from its opening).
    private var fresh = true
    /// Requests passed on whose response has not ended, and whether each must close the connection.
    private var inFlight: [Bool] = []
    private var closeAfterThisResponse = false
    private var pendingRejection: (status: HTTPResponseStatus, code: String, title: String, detail: String)?
    private var continuePending = false
    private var timer: Scheduled<Void>?
    private var shutdownTimer: Scheduled<Void>?

    init(limits: ServerLimits, maximumBodySize: Int, overCapacity: Bool, logger: Logger) {
        self.limits = limits
        self.maximumBodySize = maximumBodySize
        self.overCapacity = overCapacity
        self.logger = logger
    }

    // MARK: Connection events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { activate(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        cancelTimers()
        context.fireChannelInactive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard !activated else { return }
        activated = true
        if overCapacity {
            logger.warning("refusing a connection: the server already holds its maximum of \(limits.maximumConnections)")
            answerAndClose(
                context, status: .serviceUnavailable, code: "storeBusy", title: "Too many connections",
                detail: "the server holds its maximum of \(limits.maximumConnections) connections; retry later")
            return
        }
        schedule(.header, context)
    }

    /// Called by ``ByteActivityHandler`` for every read, before the decoder sees the bytes.
    func bytesArrived() {
        guard let context, !closing else { return }
        switch reading {
        case .betweenRequests(bytesSeen: false):
            reading = .betweenRequests(bytesSeen: true)
            // A new connection's header timeout already runs from its opening.
            if !fresh { schedule(.header, context) }
        case .body:
            schedule(.body, context)
        case .betweenRequests(bytesSeen: true), .discarding:
            break
        }
    }

    /// A request that is not valid HTTP/1.1 (a byte the grammar does not allow in the request
    /// line or a header, headers over the decoder's limits): answered in problem+json, naming
    /// what is wrong, and the connection closes. (Otherwise it would get a bare 400 without a body.)
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError, !closing, inFlight.isEmpty else {
            context.fireErrorCaught(error)
            return
        }
        switch parseError {
        case .invalidEOFState, .closedConnection:
            context.fireErrorCaught(error)
        case .headerOverflow:
            answerAndClose(
                context, status: .requestHeaderFieldsTooLarge, code: "malformedRequest", title: "Request header fields too large",
                detail: "the request line and headers are larger than the server reads (80 KiB, at most 1,000 fields)")
        default:
            answerAndClose(
                context, status: .badRequest, code: "malformedRequest", title: "Malformed request",
                detail: "the request is not valid HTTP/1.1 (\(parseError.debugDescription)): the request line and headers must be ASCII, a path non-ASCII only percent-encoded")
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client closed its side (curl --max-time, a killed job): nobody will read an answer,
        // so the connection closes, which cancels a request in progress; one that has not
        // committed is rolled back (see RestableChannel.handle). A client that half-closes and
        // still waits for its answer is not supported.
        if let event = event as? ChannelEvent, event == .inputClosed, !closing {
            closing = true
            cancelTimers()
            context.close(promise: nil)
            return
        }
        if event is ChannelShouldQuiesceEvent, shutdownTimer == nil {
            quiescing = true
            let timeout = limits.shutdownTimeout
            shutdownTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) { [self] in
                guard !closing else { return }
                logger.notice("closing a connection still open \(timeout) after shutdown began")
                closing = true
                context.close(promise: nil)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .discarding = reading { return }
        switch part {
        case .head(let head):
            fresh = false
            cancelTimer()
            if let (status, code, title, detail) = rejection(of: head) {
                reading = .discarding
                logger.info("rejecting \(head.method) \(head.uri): \(detail)")
                if inFlight.isEmpty {
                    answerAndClose(context, status: status, code: code, title: title, detail: detail)
                } else {
                    pendingRejection = (status, code, title, detail)
                }
                return
            }
            inFlight.append(!head.isKeepAlive)
            reading = .body
            schedule(.body, context)
            if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let length = head.headers.first(name: "content-length").flatMap { Int($0) }
                if length.map({ $0 <= maximumBodySize }) ?? true {
                    if inFlight.count == 1 { sendContinue(context) } else { continuePending = true }
                }
            }
            context.fireChannelRead(data)
        case .body:
            context.fireChannelRead(data)
        case .end:
            reading = .betweenRequests(bytesSeen: false)
            cancelTimer()
            if inFlight.isEmpty { schedule(.idle, context) }
            context.fireChannelRead(data)
        }
    }

    /// Why `head` cannot be served at all, or nil.
    private func rejection(of head: HTTPRequestHead) -> (HTTPResponseStatus, String, String, String)? {
        if head.version.major == 1, head.version.minor >= 1 {
            let hosts = head.headers["host"]
            if hosts.count != 1 || hosts[0].isEmpty {
                return (.badRequest, "invalidHeader", "Invalid header", hosts.isEmpty
                    ? "an HTTP/1.1 request needs a Host header" : "a request must have exactly one non-empty Host header")
            }
        }
        let expectations = head.headers[canonicalForm: "expect"].map { $0.lowercased() }
        if !expectations.isEmpty, expectations != ["100-continue"] || head.version.minor == 0 {
            return (.expectationFailed, "invalidHeader", "Expectation failed", "the only expectation this server meets is Expect: 100-continue")
        }
        return nil
    }

    private func sendContinue(_ context: ChannelHandlerContext) {
        continuePending = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
    }

    // MARK: Responses

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            let requested = inFlight.first ?? false
            let answered = head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
            closeAfterThisResponse = requested || answered || quiescing
            if closeAfterThisResponse, !answered { head.headers.replaceOrAdd(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            if !inFlight.isEmpty { inFlight.removeFirst() }
            if inFlight.isEmpty { continuePending = false }
            if closeAfterThisResponse {
                closing = true
                cancelTimers()
                context.writeAndFlush(data).assumeIsolated().whenComplete { result in
                    promise?.completeWith(result)
                    context.close(promise: nil)
                }
                return
            }
            context.write(data, promise: promise)
            if inFlight.isEmpty, let rejection = pendingRejection {
                pendingRejection = nil
                context.flush()
                answerAndClose(context, status: rejection.status, code: rejection.code, title: rejection.title, detail: rejection.detail)
            } else if continuePending, inFlight.count == 1 {
                sendContinue(context)
            } else if inFlight.isEmpty, case .betweenRequests(bytesSeen: false) = reading {
                schedule(.idle, context)
            }
        default:
            context.write(data, promise: promise)
        }
    }

    /// Writes a problem response of the server's own (no request reached the application) and closes.
    private func answerAndClose(
        _ context: ChannelHandlerContext, status: HTTPResponseStatus, code: String, title: String, detail: String
    ) {
        closing = true
        cancelTimers()
        let body = JSON.object([
            ("type", .string("urn:restable:problem:\(code)")),
            ("title", .string(title)),
            ("status", .integer(Int64(status.code))),
            ("detail", .string(detail)),
            ("code", .string(code)),
        ]).bytes
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/problem+json")
        headers.add(name: "content-length", value: String(body.count))
        headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    // MARK: Timers

    private func schedule(_ kind: Timeout, _ context: ChannelHandlerContext) {
        cancelTimer()
        guard !closing else { return }
        let amount: Duration
        switch kind {
        case .header: amount = limits.headerTimeout
        case .body: amount = limits.bodyTimeout
        case .idle: amount = limits.idleTimeout
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(amount)) { [self] in
            timer = nil
            expired(kind, context)
        }
    }

    private func expired(_ kind: Timeout, _ context: ChannelHandlerContext) {
        guard !closing else { return }
        switch kind {
        case .idle:
            logger.debug("closing an idle connection")
            closing = true
            context.close(promise: nil)
        case .header:
            logger.info("closing a connection whose request headers did not arrive within \(limits.headerTimeout)")
            if inFlight.isEmpty {
                answerAndClose(
                    context, status: .requestTimeout, code: "requestTimeout", title: "Request timeout",
                    detail: "the request headers did not arrive within \(limits.headerTimeout)")
            } else {
                closing = true
                context.close(promise: nil)
            }
        case .body:
            logger.info("the request body paused for longer than \(limits.bodyTimeout)")
            reading = .discarding
            if inFlight.isEmpty {
                closing = true
                context.close(promise: nil)
            } else {
                // The responder reading the body gets the error and answers 408; the response closes the connection.
                inFlight[inFlight.count - 1] = true
                context.fireErrorCaught(RequestBodyTimeout())
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func cancelTimers() {
        cancelTimer()
        shutdownTimer?.cancel()
        shutdownTimer = nil
    }
}

/// Tells the ``ConnectionGuard`` of its connection that bytes arrived, before they are decoded:
/// the only way to tell a request whose headers are on their way from an idle connection.
final class ByteActivityHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connectionGuard: ConnectionGuard

    init(_ connectionGuard: ConnectionGuard) {
        self.connectionGuard = connectionGuard
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connectionGuard.bytesArrived()
        context.fireChannelRead(data)
    }
}

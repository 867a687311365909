public import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Synchronization

/// Hummingbird's HTTP/1 child channel, with a ``ConnectionGuard`` in its pipeline and a cap on
/// the connections open at once.
///
/// The pipeline is Hummingbird 2.28's `HTTP1Channel` pipeline (NIO's HTTP/1 codec, conversion
/// to HTTP types, `HTTPConnectionStateHandler`, an async channel) with two handlers added: a
/// byte counter in front of the decoder and the guard after it.
struct RestableChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ServerLimits
    let maximumBodySize: Int
    let connections: ConnectionCount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let open = connections.opened()
        channel.closeFuture.whenComplete { [connections] _ in connections.closed() }
        return channel.eventLoop.makeCompletedFuture {
            let connectionGuard = ConnectionGuard(
                limits: limits, maximumBodySize: maximumBodySize, overCapacity: open > limits.maximumConnections, logger: logger)
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = 80 * 1024
            decoderLimits.maxHeaderListSize = 80 * 1024
            decoderLimits.maxHeaderFieldCount = 1000
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ByteActivityHandler(connectionGuard))
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // the async channel reads one request at a time
                withErrorHandling: false,  // Hummingbird answers parse errors
                withOutboundHeaderValidation: false,  // HTTP types validate them
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits)
            try pipeline.addHandler(connectionGuard)
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    /// Serves the connection's requests; when the client goes away mid-request, the request's
    /// task is cancelled, so that a change that has not committed yet is rolled back.
    func handle(value asyncChannel: Value, logger: Logger) async {
        let serving = Task { await handleHTTP(asyncChannel: asyncChannel, logger: logger) }
        asyncChannel.channel.closeFuture.whenComplete { _ in serving.cancel() }
        await withTaskCancellationHandler {
            await serving.value
        } onCancel: {
            serving.cancel()
        }
    }
}

/// How many connections are open, across the event loops.
final class ConnectionCount: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts a new connection; returns how many are open with it.
    func opened() -> Int {
        count.add(1, ordering: .relaxed).newValue
    }

    func closed() {
        count.subtract(1, ordering: .relaxed)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with Restable's timeouts, connection cap and request checks (see ``ConnectionGuard``).
    public static func restable(limits: ServerLimits, maximumBodySize: Int) -> HTTPServerBuilder {
        let connections = ConnectionCount()
        return HTTPServerBuilder { responder in
            RestableChannel(responder: responder, limits: limits, maximumBodySize: maximumBodySize, connections: connections)
        }
    }
}

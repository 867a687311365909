public import Hummingbird
import Logging
import RestableHTTP
import ServiceLifecycle
import UnixSignals

/// Hides the concrete application type from the CLI, which only runs it.
public protocol ApplicationProtocolBox: Sendable {
    /// Runs until SIGINT or SIGTERM, then shuts down gracefully: requests in flight get the
    /// shutdown timeout to finish, then the connections left are closed.
    func run() async throws
}

/// Wraps a built application.
public struct ApplicationBox<App: ApplicationProtocol>: ApplicationProtocolBox {
    let application: App
    let shutdownTimeout: Duration

    /// - Parameter shutdownTimeout: the `server.shutdownTimeout` setting. Each connection closes
    ///   itself once it has passed; should anything still run five seconds later, it is cancelled.
    public init(_ application: App, shutdownTimeout: Duration = .seconds(10)) {
        self.application = application
        self.shutdownTimeout = shutdownTimeout
    }

    /// Runs `application` with the shutdown timeout of `configuration`.
    public init(_ application: App, for configuration: Configuration) {
        self.init(application, shutdownTimeout: configuration.limits.shutdownTimeout)
    }

    public func run() async throws {
        var configuration = ServiceGroupConfiguration(
            services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: application.logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout + .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}

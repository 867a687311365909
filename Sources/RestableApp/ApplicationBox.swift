public import Hummingbird

/// Hides the concrete application type from the CLI, which only runs it.
public protocol ApplicationProtocolBox: Sendable {
    /// Runs until SIGINT or SIGTERM, then shuts down gracefully (in-flight requests finish).
    func run() async throws
}

/// Wraps a built application.
public struct ApplicationBox<App: ApplicationProtocol>: ApplicationProtocolBox {
    let application: App

    public init(_ application: App) {
        self.application = application
    }

    public func run() async throws {
        try await application.runService()
    }
}

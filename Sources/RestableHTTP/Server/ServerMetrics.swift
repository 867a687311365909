import Prometheus
public import RestableCore
import Synchronization

/// What a server counts, kept in memory and served in Prometheus's text format at `/metrics`:
/// requests by mount, route, method and status, their latency, rows changed by resource,
/// verb and action, refused deletes by code, and the store's transactions in flight. Counts
/// start at zero when the server starts; each server behind a load balancer counts its own.
public final class ServerMetrics: EngineObserver {
    private let registry = PrometheusCollectorRegistry()
    /// The series of each request label set, made once: the registry checks names and labels
    /// every time it is asked, which a request should not pay for.
    private let requestSeries = Mutex<[RequestLabels: (Counter, DurationHistogram)]>([:])
    /// The other counters, made once for each name and label values.
    private let counters = Mutex<[[String]: Counter]>([:])
    private let readsInFlight: Gauge
    private let writesInFlight: Gauge

    private struct RequestLabels: Hashable {
        var mount, route, method: String
        var status: Int
    }

    /// Latency buckets, in seconds: 1 ms to 10 s.
    static let buckets: [Duration] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { Duration.milliseconds($0 * 1000) }

    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "restable", subsystem: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests answered, by mount, route, method and status")
    }
    private static var latency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "restable", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time from a request's arrival to its answer, by mount and route")
    }
    private static var rows: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "restable", metricName: "rows_changed", unitName: "total",
            helpText: "Rows committed, by resource, verb (INSERT, UPDATE, DELETE) and action (insert, update, delete, purge, batch, undo, undelete)")
    }
    private static var refusals: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "restable", metricName: "deletes_refused", unitName: "total",
            helpText: "Deletes, batches with deletes, undos and undeletes that changed nothing, by action, resource and error code")
    }
    private static var inFlight: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "restable", subsystem: "db", metricName: "transactions_in_flight", unitName: "",
            helpText: "Store transactions waiting for a connection or running, by kind (read, write)")
    }
    private static var connections: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "restable", subsystem: "db", metricName: "connections", unitName: "",
            helpText: "Connections the store may open: SQLite's readers and its writer, or the PostgreSQL pool's size")
    }

    public init() {
        // Every series a dashboard expects exists from the start, at zero.
        readsInFlight = registry.makeGauge(descriptor: Self.inFlight, labels: [("kind", "read")])
        writesInFlight = registry.makeGauge(descriptor: Self.inFlight, labels: [("kind", "write")])
    }

    /// How many connections the store may open (SQLite: its readers and its one writer;
    /// PostgreSQL: its pool).
    public func connections(_ count: Int) {
        registry.makeGauge(descriptor: Self.connections).set(Int64(count))
    }

    /// One answered request.
    public func request(mount: String, route: String, method: String, status: Int, duration: Duration) {
        let labels = RequestLabels(mount: mount, route: route, method: method, status: status)
        let (counter, histogram) = requestSeries.withLock { series in
            if let known = series[labels] { return known }
            let made = (
                registry.makeCounter(descriptor: Self.requests, labels: [("mount", mount), ("route", route), ("method", method), ("status", String(status))]),
                registry.makeDurationHistogram(descriptor: Self.latency, labels: [("mount", mount), ("route", route)], buckets: Self.buckets)
            )
            series[labels] = made
            return made
        }
        counter.increment()
        histogram.record(duration)
    }

    public func committed(_ action: String, counts: ChangeCounts) {
        for resource in counts.resources {
            for (verb, count) in counts.verbs(of: resource) where count > 0 {
                counter(Self.rows, [("resource", resource), ("verb", verb.rawValue), ("action", action)]).increment(by: Int64(count))
            }
        }
    }

    public func refused(_ action: String, resource: String?, code: RestableError.Code) {
        counter(Self.refusals, [("action", action), ("resource", resource ?? ""), ("code", code.description)]).increment()
    }

    public func transaction(write: Bool, started: Bool) {
        let gauge = write ? writesInFlight : readsInFlight
        if started { gauge.increment() } else { gauge.decrement() }
    }

    private func counter(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Counter {
        let key = [descriptor.name] + labels.map(\.1)
        return counters.withLock { made in
            if let known = made[key] { return known }
            let counter = registry.makeCounter(descriptor: descriptor, labels: labels)
            made[key] = counter
            return counter
        }
    }

    /// Every metric in Prometheus's text exposition format (version 0.0.4).
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

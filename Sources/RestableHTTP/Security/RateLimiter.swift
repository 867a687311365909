import Foundation
public import RestableCore

/// Requests per second per credential, as a token bucket per caller: each caller may send
/// `rate` requests a second on average and `burst` at once; beyond that, `rateLimited` (429)
/// with the seconds until its next request is admitted. Each server counts its own requests.
public actor RateLimiter {
    public let rate: Double
    public let burst: Double
    /// What is counted, for the message (`requests from this credential`).
    let counted: String
    private var buckets: [String: (tokens: Double, updated: ContinuousClock.Instant)] = [:]
    /// Buckets of callers idle this long are forgotten (they would be full again anyway).
    private static let idle: Duration = .seconds(60)
    private var lastSweep = ContinuousClock.now

    public init(requestsPerSecond rate: Double, burst: Double? = nil, counted: String = "requests from this credential") {
        self.rate = rate
        self.burst = max(1, burst ?? rate * 2)
        self.counted = counted
    }

    /// Takes one request from the caller's bucket, or throws `rateLimited`.
    public func admit(_ caller: String) throws(RestableError) {
        let now = ContinuousClock.now
        sweep(now)
        var bucket = buckets[caller] ?? (burst, now)
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(burst, bucket.tokens + seconds * rate)
        bucket.updated = now
        guard bucket.tokens >= 1 else {
            buckets[caller] = bucket
            let wait = Int(((1 - bucket.tokens) / rate).rounded(.up))
            throw RestableError(
                .rateLimited, "more than \(Self.shown(rate)) \(counted) a second; nothing was run: try again shortly",
                retryAfter: max(1, wait))
        }
        bucket.tokens -= 1
        buckets[caller] = bucket
    }

    private func sweep(_ now: ContinuousClock.Instant) {
        guard now - lastSweep > Self.idle else { return }
        lastSweep = now
        buckets = buckets.filter { now - $0.value.updated < Self.idle }
    }

    static func shown(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(rate)
    }
}

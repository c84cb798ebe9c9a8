internal import Providers
internal import Postgres
internal import UTCTime

/// "Now" as PostgreSQL tells it, carried forward by this host's monotonic clock. Watermarks,
/// windows and schedules follow it, so a host whose wall clock runs fast cannot move a
/// watermark into the future (the events in between would never be read).
struct DatabaseClock: Sendable {
    /// Farther apart than this, the host's clock is broken: provider tokens, TLS and
    /// request signatures go wrong too, so the run refuses to start.
    static let maxHostSkewSeconds: Int64 = 60

    private let anchor: UTCTimestamp
    private let anchorMonotonic: Double

    init(databaseNow: UTCTimestamp) {
        anchor = databaseNow
        anchorMonotonic = RateLimiter.monotonicSeconds()
    }

    func now() -> UTCTimestamp {
        let elapsed = RateLimiter.monotonicSeconds() - anchorMonotonic
        return UTCTimestamp(microseconds: anchor.microseconds + Int64(elapsed * 1_000_000))
    }

    /// Why the host's clock cannot be trusted, or nil when it is within the bound.
    static func skewProblem(host: UTCTimestamp, database: UTCTimestamp) -> String? {
        let skew = (host.microseconds - database.microseconds) / 1_000_000
        guard abs(skew) > maxHostSkewSeconds else { return nil }
        return "this host's clock is \(abs(skew)) s \(skew > 0 ? "ahead of" : "behind") the database's "
            + "(more than \(maxHostSkewSeconds) s): fix its time synchronisation (NTP) before polling"
    }
}

internal import Synchronization
internal import Glibc
internal import UTCTime

/// Paces requests that share a provider budget (one Graph app in one tenant, one
/// GCP project, one AWS account and region) across every worker of a run, so the
/// poller slows itself down before the provider has to throttle it.
///
/// A sliding-window log, not a token bucket: "5 requests per 10 s" then holds for
/// every 10-second window, as the providers count, without a bucket's double burst.
public final class RateLimiter: Sendable {
    /// At most `requests` in any `perSeconds`.
    public struct Budget: Sendable, Hashable {
        public var requests: Int
        public var perSeconds: Double
        public init(requests: Int, perSeconds: Double) {
            self.requests = requests
            self.perSeconds = perSeconds
        }
    }

    private struct Window {
        /// Send times of the most recent requests, oldest first (at most `requests`).
        var sent: [Double] = []
        var pausedUntil: Double = 0
    }

    private let windows = Mutex<[String: Window]>([:])
    private let clock: @Sendable () -> Double
    private let sleep: @Sendable (Double) -> Void

    public init(clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds,
                sleep: @escaping @Sendable (Double) -> Void = RateLimiter.sleepSeconds) {
        self.clock = clock
        self.sleep = sleep
    }

    /// Blocks until a request under `key` may go, but never past `deadline`
    /// (monotonic seconds); returns false when the deadline would be passed.
    public func acquire(_ key: String, budget: Budget, deadline: Double = .infinity) -> Bool {
        while true {
            let wait: Double = windows.withLock { windows in
                let now = clock()
                var window = windows[key] ?? Window()
                defer { windows[key] = window }
                if window.pausedUntil > now { return window.pausedUntil - now }
                // A little margin: requests sent exactly one window apart can arrive closer.
                let span = budget.perSeconds + Self.jitterMargin
                window.sent.removeAll { $0 <= now - span }
                if window.sent.count < budget.requests {
                    window.sent.append(now)
                    return 0
                }
                // The oldest request in the window must age out first. One comparison
                // decides both "aged out" and "grant", so rounding cannot let a
                // request through uncounted.
                let wait = window.sent[window.sent.count - budget.requests] + span - now
                if wait <= 0 {
                    window.sent.removeFirst(window.sent.count - budget.requests + 1)
                    window.sent.append(now)
                    return 0
                }
                return wait
            }
            if wait <= 0 { return true }
            if clock() + wait > deadline { return false }
            sleep(wait)
        }
    }

    /// The provider said "wait": nobody sharing `key` sends before `seconds` pass.
    public func pause(_ key: String, seconds: Double) {
        windows.withLock { windows in
            var window = windows[key] ?? Window()
            window.pausedUntil = max(window.pausedUntil, clock() + seconds)
            windows[key] = window
        }
    }

    /// The limiter's monotonic clock (a fake one in tests), which every wait of a run is measured on.
    public func now() -> Double { clock() }

    /// Sleeps on the limiter's clock (a fake one in tests advances without sleeping).
    public func sleep(seconds: Double) { sleep(seconds) }

    /// Seconds added to every window for network jitter.
    static let jitterMargin = 0.25

    public static let sleepSeconds: @Sendable (Double) -> Void = { seconds in
        if seconds > 0 { usleep(useconds_t(min(seconds, 60) * 1_000_000)) }
    }

    public static let monotonicSeconds: @Sendable () -> Double = { MonotonicClock.seconds() }
}

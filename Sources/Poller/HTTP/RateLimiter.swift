internal import Synchronization
internal import Glibc

/// Paces requests that share a provider budget (one Graph app in one tenant, one
/// GCP project, one AWS account and region) across every worker of a run, so the
/// poller slows itself down before the provider has to throttle it.
public final class RateLimiter: Sendable {
    /// `requests` per `perSeconds`, as a token bucket that starts full.
    public struct Budget: Sendable, Hashable {
        public var requests: Int
        public var perSeconds: Double
        public init(requests: Int, perSeconds: Double) {
            self.requests = requests
            self.perSeconds = perSeconds
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double
        var pausedUntil: Double = 0
    }

    private let buckets = Mutex<[String: Bucket]>([:])
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
            let wait: Double = buckets.withLock { buckets in
                let now = clock()
                var bucket = buckets[key] ?? Bucket(tokens: Double(budget.requests), updated: now)
                let rate = Double(budget.requests) / budget.perSeconds
                bucket.tokens = min(Double(budget.requests), bucket.tokens + (now - bucket.updated) * rate)
                bucket.updated = now
                defer { buckets[key] = bucket }
                if bucket.pausedUntil > now { return bucket.pausedUntil - now }
                if bucket.tokens >= 1 {
                    bucket.tokens -= 1
                    return 0
                }
                return (1 - bucket.tokens) / rate
            }
            if wait <= 0 { return true }
            if clock() + wait > deadline { return false }
            sleep(wait)
        }
    }

    /// The provider said "wait": nobody sharing `key` sends before `seconds` pass.
    public func pause(_ key: String, seconds: Double) {
        buckets.withLock { buckets in
            let until = clock() + seconds
            var bucket = buckets[key] ?? Bucket(tokens: 0, updated: clock())
            bucket.pausedUntil = max(bucket.pausedUntil, until)
            bucket.tokens = 0
            buckets[key] = bucket
        }
    }

    public static let sleepSeconds: @Sendable (Double) -> Void = { seconds in
        if seconds > 0 { usleep(useconds_t(min(seconds, 60) * 1_000_000)) }
    }

    public static let monotonicSeconds: @Sendable () -> Double = {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

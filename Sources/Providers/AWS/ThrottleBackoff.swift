/// How long to wait after CloudTrail answered `ThrottlingException` (an HTTP 400,
/// so `ProviderHTTP`'s 429/503 handling never sees it).
///
/// Exponential with "equal jitter": at least half of each step is always waited,
/// unlike full jitter, because a throttled account must really slow down, while the
/// random half keeps sources sharing the account from retrying in lockstep.
struct ThrottleBackoff: Sendable, Equatable {
    /// Throttled answers tolerated for one request before the source's poll fails.
    var maxRetries: Int
    var baseSeconds: Double
    var maxSeconds: Double

    init(maxRetries: Int = 6, baseSeconds: Double = 1, maxSeconds: Double = 20) {
        self.maxRetries = maxRetries
        self.baseSeconds = baseSeconds
        self.maxSeconds = maxSeconds
    }

    /// The ceiling of the wait after the `throttles`-th throttled answer (counting from 1).
    func ceiling(afterThrottle throttles: Int) -> Double {
        min(maxSeconds, baseSeconds * Double(1 << min(max(throttles - 1, 0), 20)))
    }

    /// The wait: uniformly in [ceiling / 2, ceiling].
    func delay(afterThrottle throttles: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let ceiling = ceiling(afterThrottle: throttles)
        return ceiling / 2 + ceiling / 2 * min(max(random, 0), 1)
    }
}

internal import TextBasics

/// How often and how long to retry one request within a run: throttling honours
/// the provider's Retry-After; 5xx and network errors back off exponentially with
/// full jitter; everything is bounded so a run always ends.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelaySeconds: Double
    public var maxDelaySeconds: Double
    /// Longest Retry-After the poller waits within a run; longer ones end the source's poll.
    public var maxRetryAfterSeconds: Double

    public init(maxAttempts: Int = 5, baseDelaySeconds: Double = 0.5, maxDelaySeconds: Double = 30,
                maxRetryAfterSeconds: Double = 120) {
        self.maxAttempts = maxAttempts
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
    }

    /// Backoff before attempt `attempt + 1` (attempt counts from 1), before jitter.
    public func backoffCeiling(afterAttempt attempt: Int) -> Double {
        min(maxDelaySeconds, baseDelaySeconds * Double(1 << min(attempt - 1, 20)))
    }

    /// Full jitter: uniformly in [0, ceiling], so retrying pollers do not synchronize.
    public func backoff(afterAttempt attempt: Int, random: Double = Double.random(in: 0...1)) -> Double {
        backoffCeiling(afterAttempt: attempt) * random
    }

    /// Parses Retry-After as RFC 9110 delta-seconds (`1*DIGIT`), clamped to a day;
    /// nil for anything else (an HTTP-date, garbage), which then gets the normal backoff.
    public static func retryAfterSeconds(_ header: String?) -> Double? {
        guard let header else { return nil }
        let trimmed = header.trimmed(" ")
        guard !trimmed.isEmpty, trimmed.utf8.count <= 12, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let seconds = Int(trimmed) else { return nil }
        return Double(min(seconds, 86_400))
    }
}

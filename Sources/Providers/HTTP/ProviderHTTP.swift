public import Curl
internal import Logging
internal import Glibc

/// One worker's HTTP access to the providers: the transport (in production a Curl
/// client with one kept-alive connection per host, reused across pages and sources),
/// pacing by shared budgets, and the retry rules. Not thread-safe: one per worker.
public final class ProviderHTTP {
    private let transport: any HTTPTransport
    private let limiter: RateLimiter
    private let retry: RetryPolicy
    private let deadline: Double
    /// Requests sent (retries included), for the per-source log line.
    public private(set) var requests = 0
    /// Whether the page readers fetch the next page while the current one is delivered
    /// (``PagedRead``). Each worker's transport is then used by two threads in turn, never at once.
    public let readsAhead: Bool

    public init(transport: any HTTPTransport, limiter: RateLimiter, retry: RetryPolicy, deadline: Double,
                readsAhead: Bool = true) {
        self.transport = transport
        self.limiter = limiter
        self.retry = retry
        self.deadline = deadline
        self.readsAhead = readsAhead
    }

    /// Where a request's pacing budget is shared, e.g. Graph per app and tenant.
    public struct Pacing: Sendable {
        public var key: String
        public var budget: RateLimiter.Budget
        public init(key: String, budget: RateLimiter.Budget) {
            self.key = key
            self.budget = budget
        }
    }

    /// The provider throttled the budget `pacing` names (in a way `send` cannot see, e.g.
    /// CloudTrail's 400 ThrottlingException): nobody sharing it sends for `seconds`.
    public func pause(_ pacing: Pacing, seconds: Double) {
        limiter.pause(pacing.key, seconds: seconds)
    }

    /// The longest Retry-After waited for within a run (the retry policy's); longer ones end the poll.
    public var maxRetryAfterSeconds: Double { retry.maxRetryAfterSeconds }

    /// Seconds until the provider's "wait" on the budget `pacing` names ends (0 when none is in effect).
    public func pausedSeconds(_ pacing: Pacing) -> Double { limiter.pausedSeconds(pacing.key) }

    /// Sends with pacing and retries. Returns the first response that is not
    /// retryable (any status: 2xx, or a 4xx the caller interprets). 429/503 wait
    /// for Retry-After; 5xx and network failures back off with jitter.
    /// `retryAfter` reads how long to wait from a throttled response that has no Retry-After
    /// (e.g. Okta's `X-Rate-Limit-Reset` epoch).
    public func send(_ request: HTTPRequest, pacing: Pacing?, what: String,
                     retryAfter: ((HTTPResponse) -> Double?)? = nil) throws(ProviderError) -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            // Past the run's hard deadline no new request starts: the run must end.
            if limiter.now() > deadline {
                throw ProviderError(.deadline, "\(what): the run's deadline passed")
            }
            if let pacing, !limiter.acquire(pacing.key, budget: pacing.budget, deadline: deadline) {
                throw ProviderError(.deadline, "\(what): the run's deadline came before the provider's request budget allowed another call")
            }
            requests += 1
            let wait: Double
            let failure: ProviderError
            let response: HTTPResponse
            do {
                response = try transport.send(request)
            } catch {
                // TLS and URL problems will not heal by retrying; connection trouble may.
                guard error.isTransient else { throw ProviderError(.unreachable, "\(what): \(error.description)") }
                failure = ProviderError(.unreachable, "\(what): \(error.description)")
                if attempt >= retry.maxAttempts { throw failure }
                try pause(retry.backoff(afterAttempt: attempt), failure)
                continue
            }
            switch response.status {
            case 429, 503:
                // A rate limit's reset tells when a 429 ends, not when a 503's outage does.
                let after = RetryPolicy.retryAfterSeconds(response.header(named: "retry-after"))
                    ?? (response.status == 429 ? retryAfter?(response) : nil)
                if let pacing, let after { limiter.pause(pacing.key, seconds: after) }
                wait = after ?? retry.backoff(afterAttempt: attempt)
                failure = ProviderError(.throttled, "\(what): HTTP \(response.status) (throttled\(after.map { ", Retry-After \(Int($0)) s" } ?? ""))")
                if (after ?? 0) > retry.maxRetryAfterSeconds { throw failure }
            case 500...599:
                wait = retry.backoff(afterAttempt: attempt)
                failure = ProviderError(.serverError, "\(what): HTTP \(response.status)")
            default:
                return response
            }
            if attempt >= retry.maxAttempts { throw failure }
            try pause(wait, failure)
        }
    }

    /// Sleeps before a retry, unless that would pass the run's deadline.
    private func pause(_ seconds: Double, _ failure: ProviderError) throws(ProviderError) {
        if limiter.now() + seconds > deadline {
            throw ProviderError(failure.kind, failure.message + "; no time left in this run to retry")
        }
        limiter.sleep(seconds: seconds)
    }

    /// Waits out a provider's cool-down on the run's clock (a fake one in tests).
    public func sleep(seconds: Double) { limiter.sleep(seconds: seconds) }

    /// Monotonic seconds left before the run's deadline.
    public var secondsLeft: Double { deadline - limiter.now() }
}

@available(*, unavailable)
extension ProviderHTTP: Sendable {}

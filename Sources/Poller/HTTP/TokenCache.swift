internal import Synchronization

/// Access tokens shared by every worker of a run, keyed by who asked for what
/// (authority + tenant + client + scope). A token is reused until shortly before
/// it expires; a 401 from the API invalidates it so the next call fetches anew.
public final class TokenCache: Sendable {
    private struct Entry {
        var token: String
        var refreshAt: Double
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let clock: @Sendable () -> Double

    public init(clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.clock = clock
    }

    /// The cached token for `key`, or a new one from `fetch`, which returns the
    /// token and its lifetime in seconds.
    public func token(for key: String, fetch: () throws(ProviderError) -> (token: String, lifetime: Double)) throws(ProviderError) -> String {
        let now = clock()
        if let entry = entries.withLock({ $0[key] }), entry.refreshAt > now { return entry.token }
        let (token, lifetime) = try fetch()
        // Refresh two minutes early, or at 80 % of a short lifetime.
        let margin = min(120, lifetime * 0.2)
        entries.withLock { $0[key] = Entry(token: token, refreshAt: clock() + max(0, lifetime - margin)) }
        return token
    }

    public func invalidate(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}

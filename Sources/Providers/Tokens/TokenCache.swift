internal import Synchronization

/// Access tokens shared by the workers of a run. A token is reused until shortly
/// before it expires; a 401 from the API invalidates it so the next call fetches anew.
///
/// A token is only ever handed to the source that fetched it with the same
/// credentials (`TokenCache.Key`): two sources naming the same app registration or
/// service account never share one, so a source with wrong credentials fails
/// even when a source with the right ones polled first in the same run.
public final class TokenCache: Sendable {
    /// Who may use a token: one source, with one set of credentials, for one purpose.
    public struct Key: Hashable, Sendable {
        public var sourceID: String
        /// SHA-256 of the source's opened credentials (`ProviderContext.credentialsDigest`).
        public var credentialsDigest: [UInt8]
        /// What the token is for, e.g. the authority and resource.
        public var purpose: String

        public init(sourceID: String, credentialsDigest: [UInt8], purpose: String) {
            self.sourceID = sourceID
            self.credentialsDigest = credentialsDigest
            self.purpose = purpose
        }
    }

    private struct Entry {
        var token: String
        var refreshAt: Double
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let clock: @Sendable () -> Double

    public init(clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.clock = clock
    }

    /// The cached token for `key`, or a new one from `fetch`, which returns the
    /// token and its lifetime in seconds.
    public func token(for key: Key, fetch: () throws(ProviderError) -> (token: String, lifetime: Double)) throws(ProviderError) -> String {
        let now = clock()
        if let entry = entries.withLock({ $0[key] }), entry.refreshAt > now { return entry.token }
        let (token, lifetime) = try fetch()
        // Refresh two minutes early, or at 80 % of a short lifetime.
        let margin = min(120, lifetime * 0.2)
        entries.withLock { $0[key] = Entry(token: token, refreshAt: clock() + max(0, lifetime - margin)) }
        return token
    }

    public func invalidate(_ key: Key) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}

public import Catalog
public import Providers
internal import JSONBytes
internal import Logging
internal import Testing

/// A provider context for one source built from JSON texts, over a scripted transport and a
/// fake clock: the provider's pacing, retries, token lifetimes and deadline all run on `clock`,
/// so nothing waits and nothing reaches a network (an empty script fails any request loudly).
/// Sources of one run share budgets through one `limiter` (by default a new one on `clock`).
/// `readAhead` as in production by default; a test that reads the fake clock while pages are
/// delivered turns it off, since a read-ahead's request then moves the clock at no fixed point.
public func context(_ platform: Platform, credentials: String, settings: String = "{}",
                    transport: ScriptedTransport? = nil, clock: FakeClock = FakeClock(),
                    limiter: RateLimiter? = nil, retry: RetryPolicy = RetryPolicy(), deadline: Double = .infinity,
                    readAhead: Bool = true,
                    sourceID: String = "00000000-0000-0000-0000-000000000001") throws -> ProviderContext {
    let http = ProviderHTTP(transport: transport ?? ScriptedTransport(), limiter: limiter ?? clock.limiter(), retry: retry,
                            deadline: deadline, readsAhead: readAhead)
    return ProviderContext(sourceID: sourceID, tenantID: "acme", platform: platform,
                           credentials: try JSONValue.parse(Array(credentials.utf8)),
                           settings: try JSONValue.parse(Array(settings.utf8)),
                           http: http, tokens: TokenCache(clock: { clock.now }), logger: Logger(label: "test"))
}

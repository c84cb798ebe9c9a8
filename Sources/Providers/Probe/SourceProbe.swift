public import JSONBytes
public import SourceModel
public import Logging
internal import Curl
internal import UTCTime

/// One stream's answer to "would polling this source work?".
public struct ProbeResult: Sendable {
    public var stream: String
    /// `ok`, `bad_credentials`, `missing_permission`, `missing_licence`, `throttled`, `unreachable` or `error`.
    public var status: String
    /// The provider's reason, short and secret-free.
    public var detail: String?
    /// Events on the first page read (nothing is delivered).
    public var sampleEvents: Int
}

/// Tests a source before it is trusted: gets a token and one page of each stream
/// (the last hour), changes no checkpoint and delivers nothing.
public enum SourceProbe {

    public static func run(platform: Platform, sourceID: String, tenantID: String, credentials: JSONValue,
                           settings: JSONValue, caBundlePath: String?, hosts: ProviderHostPolicy,
                           timeoutSeconds: Double = 20, logger: Logger) -> [ProbeResult] {
        var configuration = HTTPClientConfiguration()
        configuration.extraCABundlePath = caBundlePath
        configuration.requestTimeout = .seconds(10)
        let client: HTTPClient
        do {
            client = try HTTPClient(configuration: configuration)
        } catch {
            return [ProbeResult(stream: "*", status: "error", detail: "HTTP client: \(error.description)", sampleEvents: 0)]
        }
        let deadline = RateLimiter.monotonicSeconds() + timeoutSeconds
        let http = ProviderHTTP(transport: client, limiter: RateLimiter(),
                                retry: RetryPolicy(maxAttempts: 2, maxRetryAfterSeconds: 5), deadline: deadline)
        let context = ProviderContext(sourceID: sourceID, tenantID: tenantID, platform: platform,
                                      credentials: credentials, settings: settings, http: http,
                                      tokens: TokenCache(), logger: logger)
        guard let factory = ProviderRegistry.factory(for: platform) else {
            return [ProbeResult(stream: "*", status: "error", detail: "no provider for \(platform.rawValue) in this version", sampleEvents: 0)]
        }
        let provider: any CloudProvider
        do {
            try hosts.check(context)
            provider = try factory(context)
        } catch {
            return [ProbeResult(stream: "*", status: status(of: error), detail: error.message, sampleEvents: 0)]
        }
        let now = UTCTimestamp.now()
        return firstPages(of: provider, window: TimeWindow(start: now.adding(seconds: -3600), end: now))
    }

    /// One page of each stream of `provider` within `window`: read, counted, not delivered.
    static func firstPages(of provider: any CloudProvider, window: TimeWindow) -> [ProbeResult] {
        provider.streams.map { stream in
            var sample: Int?
            do throws(ProviderError) {
                // One page is all a probe takes: none is read ahead.
                try provider.read(stream, window: window, wantsNextPage: { false }) { page throws(ProviderError) in
                    sample = page.events.count
                    throw firstPageRead  // enough: stop after one page
                }
                return ProbeResult(stream: stream.name, status: "ok", detail: nil, sampleEvents: sample ?? 0)
            } catch {
                if let sample, error.message == firstPageRead.message {
                    return ProbeResult(stream: stream.name, status: "ok", detail: nil, sampleEvents: sample)
                }
                return ProbeResult(stream: stream.name, status: status(of: error), detail: error.message, sampleEvents: 0)
            }
        }
    }

    private static let firstPageRead = ProviderError(.configuration, "probe: first page read")

    static func status(of error: ProviderError) -> String {
        switch error.kind {
        case .badCredentials: "bad_credentials"
        case .missingPermission: "missing_permission"
        case .missingLicence: "missing_licence"
        case .throttled: "throttled"
        case .unreachable: "unreachable"
        default: "error"
        }
    }
}

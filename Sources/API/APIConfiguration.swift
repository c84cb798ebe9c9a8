public import SourceModel

/// Settings of the REST API that are not secrets. Defaults suit the local stack.
public struct APIConfiguration: Sendable {
    /// Largest request body accepted (nginx enforces the same limit first).
    public var maxBodyBytes: Int = 64 * 1024
    /// Page size when the client does not ask for one, and the most it may ask for.
    public var defaultPageSize: Int = 50
    public var maxPageSize: Int = 500
    /// Consecutive failures after which the poll/status endpoint disables a source.
    public var maxConsecutiveFailures: Int = 10
    /// Extra CAs for the source test endpoint's calls to the providers (SIEM_CA_BUNDLE).
    public var caBundlePath: String?
    /// Which hosts a source's endpoints may name (SIEM_PROVIDER_HOST_ALLOWLIST).
    public var providerHosts = ProviderHostPolicy()
    /// Serve every tenant's /metrics to token-less callers on loopback (SIEM_METRICS_TRUST_LOOPBACK=1).
    public var metricsTrustLoopback = false

    public init() {}
}

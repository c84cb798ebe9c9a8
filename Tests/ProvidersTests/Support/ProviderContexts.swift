import Curl
import JSONBytes
import Logging
import SourceModel
@testable import Providers

/// A provider context for one source built from JSON texts, with a real (unused)
/// HTTP client: enough to build providers and their requests without a network.
func context(_ platform: Platform, credentials: String, settings: String = "{}",
             sourceID: String = "00000000-0000-0000-0000-000000000001") throws -> ProviderContext {
    let http = ProviderHTTP(transport: try HTTPClient(), limiter: RateLimiter(), retry: RetryPolicy(), deadline: .infinity)
    return ProviderContext(sourceID: sourceID, tenantID: "acme", platform: platform,
                           credentials: try JSONValue.parse(Array(credentials.utf8)),
                           settings: try JSONValue.parse(Array(settings.utf8)),
                           http: http, tokens: TokenCache(), logger: Logger(label: "test"))
}

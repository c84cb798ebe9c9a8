public import Catalog
public import JSONBytes
internal import SourceModel
public import Logging
internal import Crypto

/// One log type of a platform, with its own checkpoint.
public struct StreamSpec: Sendable, Equatable {
    /// The checkpoint key and the `settings.streams` name, e.g. `directory_audits`.
    public var name: String
    /// The normalized `log_type`, e.g. `audit_log`.
    public var logType: String
    /// How far behind the watermark each poll re-reads, unless the source overrides it.
    public var defaultOverlapSeconds: Int64
    /// In what order `read` hands over a window's events.
    public var order: EventOrder
    /// How finely the API takes a window's start (e.g. whole seconds): a read asks from the
    /// start rounded down to it, so the events remembered as delivered must reach that far.
    public var startResolutionMicroseconds: Int64

    public init(name: String, logType: String, defaultOverlapSeconds: Int64, order: EventOrder = .unspecified,
                startResolutionMicroseconds: Int64 = 1) {
        self.name = name
        self.logType = logType
        self.defaultOverlapSeconds = defaultOverlapSeconds
        self.order = order
        self.startResolutionMicroseconds = max(1, startResolutionMicroseconds)
    }
}

extension StreamSpec {
    /// The catalog's stream with the order this provider reads it in.
    public init(_ definition: StreamDefinition, order: EventOrder = .unspecified) {
        self.init(name: definition.name, logType: definition.logType,
                  defaultOverlapSeconds: definition.defaultOverlapSeconds, order: order)
    }
}

/// The order of a stream's events within a window.
public enum EventOrder: Sendable, Equatable {
    /// Oldest first (by the cursor's time): once a page is acknowledged, every event up to
    /// its newest time is delivered, so progress can be committed inside a slice.
    case oldestFirst
    /// Newest first across pages (CloudTrail's LookupEvents): once a page is acknowledged,
    /// every event after its oldest time is delivered, so the slice's top can be committed.
    case newestFirst
    /// Whatever the API returns: only a whole slice can be committed.
    case unspecified
}

/// Everything a provider gets to work with for one source in one run.
public struct ProviderContext {
    public var sourceID: String
    public var tenantID: String
    public var platform: Platform
    /// The opened credentials (secret: never log, never put in errors).
    public var credentials: JSONValue
    public var settings: JSONValue
    public var http: ProviderHTTP
    public var tokens: TokenCache
    public var logger: Logger
    /// SHA-256 of the opened credentials: with the source id, the key of every
    /// cached token, so no source is ever handed a token fetched with other credentials.
    public let credentialsDigest: [UInt8]

    public init(sourceID: String, tenantID: String, platform: Platform, credentials: JSONValue,
                settings: JSONValue, http: ProviderHTTP, tokens: TokenCache, logger: Logger) {
        self.sourceID = sourceID
        self.tenantID = tenantID
        self.platform = platform
        self.credentials = credentials
        self.settings = settings
        self.http = http
        self.tokens = tokens
        self.logger = logger
        var canonical = JSONWriter(reservingCapacity: 512)
        canonical.value(credentials)
        self.credentialsDigest = Array(SHA256.hash(data: canonical.bytes))
    }

    /// The token-cache key of this source's token for `purpose` (e.g. authority + resource).
    public func tokenKey(_ purpose: String) -> TokenCache.Key {
        TokenCache.Key(sourceID: sourceID, credentialsDigest: credentialsDigest, purpose: purpose)
    }

    /// A string setting, if set.
    public func setting(_ name: String) -> String? { settings[name]?.stringValue }
    public func credential(_ name: String) -> String? { credentials[name]?.stringValue }
}

/// A page of events as read from the provider, in the provider's order.
public struct EventPage {
    public var events: [ProviderEvent]
    /// Records of the page skipped for lacking an id or a time (counted and logged, not silent).
    public var dropped: Int
    public init(events: [ProviderEvent], dropped: Int = 0) {
        self.events = events
        self.dropped = dropped
    }
}

/// A cloud platform's audit-log API. A new platform is one type conforming to
/// this protocol plus one line in `ProviderRegistry`.
public protocol CloudProvider: AnyObject {
    /// The streams this source collects (its `settings.streams`, or all).
    var streams: [StreamSpec] { get }

    /// Reads every event of `stream` whose time lies in `window`, page by page, handing
    /// each page to `sink` in order; at most one more page is read ahead meanwhile
    /// (bounded memory). `wantsNextPage` is asked before a page is read ahead, while the
    /// one before it is not yet delivered: false when the caller will stop after that one
    /// (a probe's first page, the end of a stream's turn), so no request is wasted.
    func read(_ stream: StreamSpec, window: TimeWindow, wantsNextPage: () -> Bool,
              sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError)
}

extension CloudProvider {
    /// Reads the whole window (every page wanted).
    public func read(_ stream: StreamSpec, window: TimeWindow,
                     sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        try read(stream, window: window, wantsNextPage: { true }, sink: sink)
    }
}

extension CloudProvider {
    /// The streams of `all` that the source's `settings.streams` selects (all when unset).
    public static func selectedStreams(_ all: [StreamSpec], settings: JSONValue) -> [StreamSpec] {
        guard case .array(let names)? = settings["streams"] else { return all }
        let wanted = Set(names.compactMap(\.stringValue))
        return all.filter { wanted.contains($0.name) }
    }
}

/// The factory keyed by platform.
public enum ProviderRegistry {
    public typealias Factory = (ProviderContext) throws(ProviderError) -> any CloudProvider

    public static func factory(for platform: Platform) -> Factory? {
        switch platform {
        case .microsoft365: { context throws(ProviderError) in try Microsoft365Provider(context: context) }
        case .azureAD: { context throws(ProviderError) in try AzureADProvider(context: context) }
        case .gcp: { context throws(ProviderError) in try GCPProvider(context: context) }
        case .aws: { context throws(ProviderError) in try AWSCloudTrailProvider(context: context) }
        default: connectorFactory(for: platform)
        }
    }

    /// A platform declared in connectors/ is polled by the connector engine.
    private static func connectorFactory(for platform: Platform) -> Factory? {
        guard let declaration = PlatformCatalog.registered(platform)?.connector else { return nil }
        let factory: Factory = { context throws(ProviderError) in
            try ConnectorProvider(context: context, declaration: declaration)
        }
        return factory
    }
}

internal import Catalog
internal import Curl
internal import JSONBytes

/// Entra ID (Azure AD) through Microsoft Graph, plus the Azure activity log through
/// Azure Resource Manager, with the same app registration and token flow as
/// Microsoft365:
/// - `risk_detections`: `identityProtection/riskDetections` (log_type `risk_detection`)
/// - `provisioning`: `auditLogs/provisioning` (log_type `provisioning_log`)
/// - `activity_log`: each subscription of `settings.subscription_ids` (log_type `activity_log`)
///
/// Every subscription is a stream of its own, `activity_log:<subscription>`, with its
/// own checkpoint: a subscription that fails (deleted, permission revoked, ARM down in
/// its region) holds back only its own cursor, while the others keep moving, and a
/// subscription added later starts from the initial lookback instead of inheriting a
/// watermark it never reached.
public final class AzureADProvider: CloudProvider {
    public let streams: [StreamSpec]
    /// Each stream's collection and the reader for its API (Graph, or ARM for the activity log).
    private let sources: [(collection: GraphCollection, reader: ODataPageReader)]

    /// Detections change state in place: the catalog's 48 h overlap re-reads late ones and updates.
    static let riskDetections = GraphCollection(
        stream: StreamSpec(AzureADCatalog.riskDetections),
        path: "/v1.0/identityProtection/riskDetections", timeProperty: "lastUpdatedDateTime", maxPageSize: 500,
        transform: AzureADTransforms.riskDetection)
    /// The provisioning docs list `eq`, `gt`, `lt` (and `contains`) for `$filter`.
    static let provisioning = GraphCollection(
        stream: StreamSpec(AzureADCatalog.provisioning, order: .oldestFirst),
        path: "/v1.0/auditLogs/provisioning", timeProperty: "activityDateTime", maxPageSize: 1000,
        timeFilter: .exclusive, transform: AzureADTransforms.provisioning)
    static let activityLogName = AzureADCatalog.activityLog.name
    static let activityLogOverlapSeconds = AzureADCatalog.activityLog.defaultOverlapSeconds
    /// ARM allows bursts of 250 reads per principal and subscription, refilled at 25/s; stay well under.
    static let armBudget = RateLimiter.Budget(requests: 10, perSeconds: 1)

    static func activityLog(subscription: String) -> GraphCollection {
        GraphCollection(
            stream: StreamSpec(name: AzureADCatalog.activityLog.key(item: subscription), logType: AzureADCatalog.activityLog.logType,
                               defaultOverlapSeconds: activityLogOverlapSeconds),
            path: "/subscriptions/\(URLEncoding.percentEncode(subscription))/providers/Microsoft.Insights/eventtypes/management/values",
            timeProperty: "eventTimestamp", maxPageSize: nil, timeFilter: .quoted,
            extraQuery: [("api-version", "2015-04-01")], transform: AzureADTransforms.activityLog)
    }

    public init(context: ProviderContext) throws(ProviderError) {
        let cloud = try GraphSettings.cloud(context)
        let identity = try MicrosoftIdentity(context: context, cloud: cloud)
        let pageSize = context.settings["page_size"]?.intValue
        let graph = ODataPageReader(identity: identity, context: context, resource: cloud.graphEndpoint,
                                      baseURL: cloud.graphEndpoint, pageSize: pageSize)
        let arm = ODataPageReader(
            identity: identity, context: context, resource: cloud.managementEndpoint,
            baseURL: cloud.managementEndpoint, pageSize: nil,
            pacing: ProviderHTTP.Pacing(key: "arm|\(identity.directoryTenant)|\(identity.clientID)", budget: Self.armBudget))

        let activityBase = StreamSpec(AzureADCatalog.activityLog)
        let wanted = Set(Self.selectedStreams([Self.riskDetections.stream, Self.provisioning.stream, activityBase],
                                              settings: context.settings).map(\.name))
        var sources = [Self.riskDetections, Self.provisioning].filter { wanted.contains($0.stream.name) }
            .map { (collection: $0, reader: graph) }
        if wanted.contains(Self.activityLogName) {
            sources += try Self.subscriptions(context.settings).map { (collection: Self.activityLog(subscription: $0), reader: arm) }
        }
        self.sources = sources
        streams = sources.map(\.collection.stream)
    }

    /// `settings.subscription_ids`, trimmed, lowercased (ARM ids are case-insensitive) and
    /// without repeats, so the checkpoint key of a subscription never changes.
    static func subscriptions(_ settings: JSONValue) throws(ProviderError) -> [String] {
        guard case .array(let values)? = settings["subscription_ids"] else { return [] }
        var seen = Set<String>()
        var out: [String] = []
        for value in values {
            guard let text = value.stringValue else {
                throw ProviderError(.configuration, "settings.subscription_ids must hold strings")
            }
            let id = String(text.filter { !$0.isWhitespace }).lowercased()
            guard !id.isEmpty, !id.contains("/") else {
                throw ProviderError(.configuration, "settings.subscription_ids has an entry that is not a subscription id")
            }
            if seen.insert(id).inserted { out.append(id) }
        }
        return out
    }

    public func read(_ stream: StreamSpec, window: TimeWindow, wantsNextPage: () -> Bool,
                     sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        guard let source = sources.first(where: { $0.collection.stream == stream }) else {
            throw ProviderError(.configuration, "unknown stream \(stream.name)")
        }
        try source.reader.read(source.collection, window: window, wantsNextPage: wantsNextPage, sink: sink)
    }
}

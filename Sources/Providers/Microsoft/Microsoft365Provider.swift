internal import Catalog
internal import JSONBytes

/// Microsoft 365 / Entra ID audit and sign-in logs through Microsoft Graph:
/// `auditLogs/directoryAudits` (log_type `audit_log`) and `auditLogs/signIns`
/// (log_type `sign_in_log`), each with its own checkpoint.
public final class Microsoft365Provider: CloudProvider {
    public let streams: [StreamSpec]
    private let reader: ODataPageReader

    package static let directoryAudits = GraphCollection(
        stream: StreamSpec(Microsoft365Catalog.directoryAudits, order: .oldestFirst),
        path: "/v1.0/auditLogs/directoryAudits", timeProperty: "activityDateTime", maxPageSize: 1000,
        transform: GraphTransforms.directoryAudit)
    static let signIns = GraphCollection(
        stream: StreamSpec(Microsoft365Catalog.signIns, order: .oldestFirst),
        path: "/v1.0/auditLogs/signIns", timeProperty: "createdDateTime", maxPageSize: 1000,
        transform: GraphTransforms.signIn)
    static let collections = [directoryAudits, signIns]

    public init(context: ProviderContext) throws(ProviderError) {
        let cloud = try GraphSettings.cloud(context)
        let identity = try MicrosoftIdentity(context: context, cloud: cloud)
        reader = ODataPageReader(identity: identity, context: context, resource: cloud.graphEndpoint,
                                   baseURL: cloud.graphEndpoint, pageSize: context.settings["page_size"]?.intValue)
        streams = Self.selectedStreams(Self.collections.map(\.stream), settings: context.settings)
    }

    public func read(_ stream: StreamSpec, window: TimeWindow, wantsNextPage: () -> Bool,
                     sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        guard let collection = Self.collections.first(where: { $0.stream == stream }) else {
            throw ProviderError(.configuration, "unknown stream \(stream.name)")
        }
        try reader.read(collection, window: window, wantsNextPage: wantsNextPage, sink: sink)
    }
}

enum GraphSettings {
    static func cloud(_ context: ProviderContext) throws(ProviderError) -> MicrosoftCloud {
        guard let cloud = MicrosoftCloud.resolve(
            cloud: context.setting("cloud"), authorityHost: context.setting("authority_host"),
            graphEndpoint: context.setting("graph_endpoint"), managementEndpoint: context.setting("management_endpoint"))
        else {
            throw ProviderError(.configuration, "settings.cloud is not a known Microsoft cloud")
        }
        return cloud
    }
}

internal import Catalog
internal import JSONBytes

/// Google Cloud audit logs (Admin Activity, Data Access, System Event, Policy
/// Denied) through Cloud Logging `entries.list`, stream `cloud_audit`
/// (log_type `cloud_audit_log`), with a service-account key.
///
/// Settings: `logging_endpoint` (default https://logging.googleapis.com),
/// `resource_names` (default `projects/{project_id}`), `filter` (default
/// `logName:"cloudaudit.googleapis.com"`), `page_size` (at most 1000).
public final class GCPProvider: CloudProvider {
    public let streams: [StreamSpec]
    private let reader: CloudLoggingReader

    static let cloudAudit = StreamSpec(GCPCatalog.cloudAudit, order: .oldestFirst)
    static let defaultEndpoint = GCPCatalog.defaultLoggingEndpoint
    static let defaultFilter = GCPCatalog.defaultFilter

    public init(context: ProviderContext) throws(ProviderError) {
        let account = try GCPServiceAccount(context: context)
        var endpoint = context.setting("logging_endpoint") ?? Self.defaultEndpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard endpoint.hasPrefix("https://") else {
            throw ProviderError(.configuration, "settings.logging_endpoint must be an https URL")
        }
        let resourceNames = try Self.resourceNames(context.settings, projectID: account.projectID)
        let pageSize = min(max(context.settings["page_size"]?.intValue ?? CloudLoggingReader.maxPageSize, 1),
                           CloudLoggingReader.maxPageSize)
        reader = CloudLoggingReader(account: account, context: context, endpoint: endpoint,
                                    resourceNames: resourceNames, filter: context.setting("filter") ?? Self.defaultFilter,
                                    pageSize: pageSize)
        streams = Self.selectedStreams([Self.cloudAudit], settings: context.settings)
    }

    /// `settings.resource_names`, or the key's own project.
    static func resourceNames(_ settings: JSONValue, projectID: String) throws(ProviderError) -> [String] {
        guard case .array(let values)? = settings["resource_names"], !values.isEmpty else { return ["projects/\(projectID)"] }
        var names: [String] = []
        for value in values {
            guard let name = value.stringValue, !name.isEmpty else {
                throw ProviderError(.configuration, "settings.resource_names must hold resource names such as projects/my-project")
            }
            if !names.contains(name) { names.append(name) }
        }
        // entries.list takes at most 100 resource names per request.
        guard names.count <= 100 else { throw ProviderError(.configuration, "settings.resource_names has more than 100 entries") }
        return names
    }

    public func read(_ stream: StreamSpec, window: TimeWindow, wantsNextPage: () -> Bool,
                     sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        guard stream == Self.cloudAudit else { throw ProviderError(.configuration, "unknown stream \(stream.name)") }
        try reader.read(stream, window: window, wantsNextPage: wantsNextPage, sink: sink)
    }
}

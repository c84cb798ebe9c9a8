/// The hosts of a Microsoft cloud: the global one or a national cloud. A source
/// picks one with `settings.cloud`; `authority_host`, `graph_endpoint` and
/// `management_endpoint` override single hosts (VPC proxies, tests).
public struct MicrosoftCloud: Sendable, Equatable {
    public var authorityHost: String
    public var graphEndpoint: String
    public var managementEndpoint: String

    public static let global = MicrosoftCloud(
        authorityHost: "https://login.microsoftonline.com", graphEndpoint: "https://graph.microsoft.com",
        managementEndpoint: "https://management.azure.com")
    /// GCC High.
    public static let usGov = MicrosoftCloud(
        authorityHost: "https://login.microsoftonline.us", graphEndpoint: "https://graph.microsoft.us",
        managementEndpoint: "https://management.usgovcloudapi.net")
    public static let dod = MicrosoftCloud(
        authorityHost: "https://login.microsoftonline.us", graphEndpoint: "https://dod-graph.microsoft.us",
        managementEndpoint: "https://management.usgovcloudapi.net")
    /// Operated by 21Vianet.
    public static let china = MicrosoftCloud(
        authorityHost: "https://login.chinacloudapi.cn", graphEndpoint: "https://microsoftgraph.chinacloudapi.cn",
        managementEndpoint: "https://management.chinacloudapi.cn")

    public static func profile(named name: String?) -> MicrosoftCloud? {
        switch name ?? "global" {
        case "global": .global
        case "usgov": .usGov
        case "dod": .dod
        case "china": .china
        default: nil
        }
    }

    /// The profile with the source's per-host overrides applied (no trailing slash).
    public static func resolve(cloud: String?, authorityHost: String?, graphEndpoint: String?,
                               managementEndpoint: String?) -> MicrosoftCloud? {
        guard var profile = profile(named: cloud) else { return nil }
        if let authorityHost { profile.authorityHost = trimSlash(authorityHost) }
        if let graphEndpoint { profile.graphEndpoint = trimSlash(graphEndpoint) }
        if let managementEndpoint { profile.managementEndpoint = trimSlash(managementEndpoint) }
        return profile
    }

    private static func trimSlash(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

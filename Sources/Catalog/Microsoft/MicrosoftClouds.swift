/// Microsoft's national clouds: the hosts of the identity platform, Graph and Azure
/// Resource Manager in each. `settings.cloud` picks one; the endpoint settings override
/// single hosts.
public enum MicrosoftClouds {
    public static let profiles: [CloudProfile] = [
        profile("global", "Global", authority: "https://login.microsoftonline.com",
                graph: "https://graph.microsoft.com", management: "https://management.azure.com"),
        profile("usgov", "US Government (GCC High)", authority: "https://login.microsoftonline.us",
                graph: "https://graph.microsoft.us", management: "https://management.usgovcloudapi.net"),
        profile("dod", "US DoD", authority: "https://login.microsoftonline.us",
                graph: "https://dod-graph.microsoft.us", management: "https://management.usgovcloudapi.net"),
        // Operated by 21Vianet.
        profile("china", "China (21Vianet)", authority: "https://login.chinacloudapi.cn",
                graph: "https://microsoftgraph.chinacloudapi.cn", management: "https://management.chinacloudapi.cn"),
    ]

    /// The profile a source without `settings.cloud` gets.
    public static let defaultName = "global"

    /// The documented spellings only: a near miss must not silently mean "global".
    public static func profile(named name: String?) -> CloudProfile? {
        let wanted = name ?? defaultName
        return profiles.first { $0.name == wanted }
    }

    private static func profile(_ name: String, _ label: String, authority: String, graph: String,
                                management: String) -> CloudProfile {
        CloudProfile(name: name, label: label, endpoints: [
            .init(setting: "authority_host", url: authority),
            .init(setting: "graph_endpoint", url: graph),
            .init(setting: "management_endpoint", url: management),
        ])
    }
}

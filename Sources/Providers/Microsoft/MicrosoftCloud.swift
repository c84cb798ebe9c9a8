internal import Catalog

/// The hosts of a Microsoft cloud: the global one or a national cloud. A source
/// picks one with `settings.cloud`; `authority_host`, `graph_endpoint` and
/// `management_endpoint` override single hosts (VPC proxies, tests).
public struct MicrosoftCloud: Sendable, Equatable {
    public var authorityHost: String
    public var graphEndpoint: String
    public var managementEndpoint: String

    public init(authorityHost: String, graphEndpoint: String, managementEndpoint: String) {
        self.authorityHost = authorityHost
        self.graphEndpoint = graphEndpoint
        self.managementEndpoint = managementEndpoint
    }

    /// The hosts of a catalog profile (`MicrosoftClouds`, which owns them).
    init(_ profile: CloudProfile) {
        self.init(authorityHost: profile.url("authority_host") ?? "", graphEndpoint: profile.url("graph_endpoint") ?? "",
                  managementEndpoint: profile.url("management_endpoint") ?? "")
    }

    public static let global = profile(named: "global")!
    /// GCC High.
    public static let usGov = profile(named: "usgov")!
    public static let dod = profile(named: "dod")!
    /// Operated by 21Vianet.
    public static let china = profile(named: "china")!

    /// The documented spellings only (`settings.cloud`; nil means global).
    public static func profile(named name: String?) -> MicrosoftCloud? {
        MicrosoftClouds.profile(named: name).map(MicrosoftCloud.init)
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

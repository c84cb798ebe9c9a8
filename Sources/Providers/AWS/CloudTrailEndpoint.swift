/// Where a source's LookupEvents calls go: the regional CloudTrail endpoint, or
/// `settings.endpoint_url` (a VPC endpoint, FIPS, GovCloud, a proxy, tests).
struct CloudTrailEndpoint: Sendable, Equatable {
    /// The URL the request is sent to.
    var url: String
    /// The `Host` header, signed and sent as is (`host` or `host:port`).
    var host: String
    /// The request path, signed as the canonical URI.
    var path: String

    /// The endpoint for `region`, or the override; nil when the override is not a
    /// plain `https://host[:port][/path]` URL (SigV4 signs what is sent, so no guessing).
    static func resolve(region: String, override: String?) -> CloudTrailEndpoint? {
        guard let override else {
            // The China partition has its own DNS suffix; every other public one (GovCloud included) uses amazonaws.com.
            let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
            let host = "cloudtrail.\(region).\(suffix)"
            return CloudTrailEndpoint(url: "https://\(host)/", host: host, path: "/")
        }
        guard override.hasPrefix("https://") else { return nil }
        let rest = override.dropFirst("https://".count)
        guard !rest.contains(where: { $0 == "?" || $0 == "#" || $0 == "@" || $0 == " " }) else { return nil }
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty else { return nil }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty { path = "/" }
        // The SDKs leave the default port out of Host; do the same so a pasted ":443" changes nothing.
        let host = authority.hasSuffix(":443") ? String(authority.dropLast(4)) : String(authority)
        return CloudTrailEndpoint(url: "https://\(authority)\(path)", host: host, path: path)
    }
}

internal import Catalog
public import JSONBytes

/// Which hosts a source may send its credentials and requests to.
///
/// The endpoint settings (`authority_host`, `graph_endpoint`, …) and a GCP key's `token_uri`
/// exist for national clouds, private endpoints and proxies, but a tenant admin who could
/// point them anywhere would make the poller (and the API's source test) call internal
/// services with the tenant's credentials: server-side request forgery. So each must name
/// one of the platform's public hosts (of the source's national cloud), unless the operator
/// allows more hosts with `SIEM_PROVIDER_HOST_ALLOWLIST`.
public struct ProviderHostPolicy: Sendable {
    /// The environment variable with the operator's extra host patterns.
    public static let environmentVariable = "SIEM_PROVIDER_HOST_ALLOWLIST"

    /// Hosts the operator allowed on top of the public ones.
    public let allowlist: [HostPattern]

    /// Only the platforms' public hosts.
    public init() { allowlist = [] }

    /// `text`: host patterns separated by commas or blanks, e.g. `127.0.0.1, *.corp.example:8443`.
    public init(allowlist text: String?) throws(ProviderHostPolicy.InvalidPattern) {
        var patterns: [HostPattern] = []
        for (index, entry) in (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).enumerated() {
            guard let pattern = HostPattern(String(entry)) else { throw InvalidPattern(position: index + 1) }
            patterns.append(pattern)
        }
        allowlist = patterns
    }

    /// Reads `SIEM_PROVIDER_HOST_ALLOWLIST`.
    public init(environment: [String: String]) throws(ProviderHostPolicy.InvalidPattern) {
        try self.init(allowlist: environment[Self.environmentVariable])
    }

    public struct InvalidPattern: Error, CustomStringConvertible {
        public var position: Int
        public var description: String {
            "\(ProviderHostPolicy.environmentVariable): entry \(position) is not a host pattern "
                + "(host, *.domain or host:port; letters, digits, '-', '.', '*')"
        }
    }

    /// A refused field: the field's path (e.g. `settings.graph_endpoint`) and why.
    public struct Violation: Sendable, Equatable {
        public var field: String
        public var message: String
    }

    /// Every endpoint of a source that this policy refuses; empty when all are allowed.
    public func violations(platform: Platform, settings: JSONValue, credentials: JSONValue?) -> [Violation] {
        var found: [Violation] = []
        let cloud = settings["cloud"]?.stringValue
        for field in Self.settingFields(of: platform) {
            guard let url = settings[field]?.stringValue else { continue }
            if let message = problem(url: url, known: Self.publicHosts(field: field, cloud: cloud)) {
                found.append(Violation(field: "settings.\(field)", message: message))
            }
        }
        if platform == .gcp, let url = credentials?["token_uri"]?.stringValue,
           let message = problem(url: url, known: Self.publicHosts(field: "token_uri", cloud: nil)) {
            found.append(Violation(field: "api_credentials_json.token_uri", message: message))
        }
        return found
    }

    /// Why `url` may not be called, or nil when its host is a known public one or allowlisted.
    public func problem(url: String, known: [HostPattern]) -> String? {
        guard let authority = URLAuthority(url) else {
            return "must be an https:// URL with a host (no user name or password)"
        }
        if known.contains(where: { $0.matches(authority) }) || allowlist.contains(where: { $0.matches(authority) }) {
            return nil
        }
        return "host \(authority.host) is not one of the platform's hosts (\(known.map(\.text).joined(separator: ", "))); "
            + "an operator can allow it in \(Self.environmentVariable)"
    }

    /// The settings that name a host the source will call: the platform's URL settings in the catalog.
    public static func settingFields(of platform: Platform) -> [String] {
        PlatformCatalog.definition(of: platform).settings.filter { $0.kind == .httpsURL }.map(\.name)
    }

    /// The public hosts an endpoint may name; Microsoft's depend on the national cloud.
    public static func publicHosts(field: String, cloud: String?) -> [HostPattern] {
        let texts: [String] = switch (field, cloud ?? "global") {
        case ("authority_host", "global"): ["login.microsoftonline.com"]
        case ("authority_host", "usgov"), ("authority_host", "dod"): ["login.microsoftonline.us"]
        case ("authority_host", "china"): ["login.chinacloudapi.cn", "login.partner.microsoftonline.cn"]
        case ("graph_endpoint", "global"): ["graph.microsoft.com"]
        case ("graph_endpoint", "usgov"): ["graph.microsoft.us"]
        case ("graph_endpoint", "dod"): ["dod-graph.microsoft.us"]
        case ("graph_endpoint", "china"): ["microsoftgraph.chinacloudapi.cn"]
        case ("management_endpoint", "global"): ["management.azure.com"]
        case ("management_endpoint", "usgov"), ("management_endpoint", "dod"): ["management.usgovcloudapi.net"]
        case ("management_endpoint", "china"): ["management.chinacloudapi.cn"]
        // Global, regional (rep) and Private Service Connect endpoints.
        case ("logging_endpoint", _): ["logging.googleapis.com", "logging.*.rep.googleapis.com", "logging-*.p.googleapis.com"]
        case ("token_uri", _): ["oauth2.googleapis.com", "accounts.google.com", "oauth2-*.p.googleapis.com"]
        // Regional, FIPS, China and interface VPC endpoints of CloudTrail.
        case ("endpoint_url", _): ["cloudtrail.*.amazonaws.com", "cloudtrail-fips.*.amazonaws.com",
                                   "cloudtrail.*.amazonaws.com.cn", "*.cloudtrail.*.vpce.amazonaws.com"]
        // A connector's URL settings name their public hosts in its declaration.
        default: SettingsSchema.spec(named: field)?.hosts ?? []
        }
        return texts.compactMap(HostPattern.init)
    }
}

/// A host, or a pattern for hosts, with an optional port. `*` stands for part of one label
/// (`logging-*.p.googleapis.com`); a leading `*.` for one or more labels (`*.corp.example`).
public struct HostPattern: Sendable, Equatable {
    public let text: String
    private let labels: [Substring]
    private let anySubdomain: Bool
    private let port: Int?

    public init?(_ text: String) {
        let text = text.lowercased()
        var host = Substring(text)
        var port: Int?
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
            guard let number = Int(text[text.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            host = text[..<colon]
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.*[]:".contains($0)) })
        else { return nil }
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let anySubdomain = labels.first == "*" && labels.count > 1
        if anySubdomain { labels.removeFirst() }
        guard labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.text = text
        self.labels = labels
        self.anySubdomain = anySubdomain
        self.port = port
    }

    public func matches(_ authority: URLAuthority) -> Bool {
        if let port, port != authority.port { return false }
        let host = authority.host.split(separator: ".", omittingEmptySubsequences: false)
        if anySubdomain {
            guard host.count > labels.count else { return false }
        } else {
            guard host.count == labels.count else { return false }
        }
        return zip(labels, host.suffix(labels.count)).allSatisfy { Self.label($0, matches: $1) }
    }

    /// `*` in a label matches one or more characters of that label.
    private static func label(_ pattern: Substring, matches label: Substring) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == label }
        let prefix = pattern[..<star], suffix = pattern[pattern.index(after: star)...]
        return label.count > prefix.count + suffix.count && label.hasPrefix(prefix) && label.hasSuffix(suffix)
    }
}

/// The host and port of an https URL; nil for anything else, and for URLs carrying user
/// information (`https://graph.microsoft.com@evil.example/` names the host evil.example).
public struct URLAuthority: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init?(_ url: String) {
        guard url.lowercased().hasPrefix("https://") else { return nil }
        let rest = url.dropFirst("https://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains("\\") else { return nil }
        var host = authority[...]
        var port = 443
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            host = authority[..<colon]
        }
        guard !host.isEmpty, !host.hasSuffix(".") else { return nil }
        self.host = host.lowercased()
        self.port = port
    }
}

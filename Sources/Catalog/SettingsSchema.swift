public import JSONBytes

/// The non-secret settings a source may carry, per platform. The API validates
/// against this table and the poller reads the same names, so a typo is caught
/// at registration instead of silently ignored at 3 a.m.
public struct SettingSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case httpsURL
        case text(maxLength: Int)
        case textList(maxItems: Int)
        case integer(ClosedRange<Int>)
        case oneOf([String])
        case subsetOf([String])
    }

    public var name: String
    public var kind: Kind
    public var platforms: Set<Platform>
    public var help: String
    /// What a source without the setting gets; nil when the provider decides (e.g. its page size).
    public var defaultValue: JSONValue?
    /// A short title for forms; derived from the name when not given.
    public var label: String
    /// An example value for forms.
    public var placeholder: String?
    /// Titles of `oneOf` options, by option.
    public var optionLabels: [String: String]
    /// The public hosts an `httpsURL` setting of a connector may name (built-in platforms: ProviderHostPolicy).
    public var hosts: [String]
    /// A source must set it (a connector's org URL); the built-in platforms' settings all have defaults.
    public var required: Bool

    public init(name: String, kind: Kind, platforms: Set<Platform>, help: String, defaultValue: JSONValue? = nil,
                label: String? = nil, placeholder: String? = nil, optionLabels: [String: String] = [:],
                hosts: [String] = [], required: Bool = false) {
        self.name = name
        self.kind = kind
        self.platforms = platforms
        self.help = help
        self.defaultValue = defaultValue
        self.label = label ?? Self.title(name)
        self.placeholder = placeholder
        self.optionLabels = optionLabels
        self.hosts = hosts
        self.required = required
    }

    /// `dedup_max_ids` → "Dedup max ids".
    private static func title(_ name: String) -> String {
        let words = name.split(separator: "_").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}

public enum SettingsSchema {
    private static let microsoft: Set<Platform> = [.microsoft365, .azureAD]
    private static let all = Set(Platform.allCases)

    /// Streams (log types) each platform can collect; all by default.
    public static func streams(for platform: Platform) -> [String] {
        PlatformCatalog.definition(of: platform).streams.map(\.name)
    }

    /// The keys the poller keeps checkpoints under for a source with these settings: its
    /// selected streams, a per-item stream (the activity log) as one `name:<item>` per item
    /// of its list setting (`activity_log:<subscription>`).
    public static func streamKeys(for platform: Platform, settings: JSONValue) -> [String] {
        var selected = PlatformCatalog.registered(platform)?.streams ?? []
        if case .array(let names)? = settings["streams"] {
            let wanted = Set(names.compactMap(\.stringValue))
            selected = selected.filter { wanted.contains($0.name) }
        }
        return selected.flatMap { stream -> [String] in
            guard let perItem = stream.perItem else { return [stream.name] }
            guard case .array(let items)? = settings[perItem.setting] else { return [] }
            return items.compactMap(\.stringValue).map(stream.key(item:))
        }
    }

    public static let specs: [SettingSpec] = [
        SettingSpec(name: "initial_lookback_minutes", kind: .integer(1...43_200), platforms: all,
                    help: "how far back the first poll of a new source starts", defaultValue: .number("1440"),
                    label: "Initial lookback (minutes)"),
        SettingSpec(name: "overlap_minutes", kind: .integer(1...2_880), platforms: all,
                    help: "window re-read behind the checkpoint to catch late events (at least the platform's floor; default: each stream's own)",
                    label: "Overlap (minutes)"),
        SettingSpec(name: "dedup_max_ids", kind: .integer(1_000...1_000_000), platforms: all,
                    help: "most event ids remembered per stream to drop re-reads (past it a re-read may repeat an event, never lose one)",
                    defaultValue: .number("50000"), label: "Remembered event ids per stream"),
        SettingSpec(name: "page_size", kind: .integer(1...1_000), platforms: all,
                    help: "events per request ($top / pageSize / MaxResults); the provider's maximum when unset",
                    label: "Page size (events per request)"),
        SettingSpec(name: "lag_alert_intervals", kind: .integer(1...1_000), platforms: all,
                    help: "polling intervals a stream's watermark may trail before it is flagged as lagging",
                    defaultValue: .number("4"), label: "Lag alert (polling intervals)"),
        SettingSpec(name: "streams", kind: .subsetOf(Platform.allCases.flatMap(streams(for:))), platforms: all,
                    help: "which log types to collect (default: all of the platform's)", label: "Streams"),
        SettingSpec(name: "cloud", kind: .oneOf(MicrosoftClouds.profiles.map(\.name)), platforms: microsoft,
                    help: "national cloud profile picking the default hosts", defaultValue: .string(MicrosoftClouds.defaultName),
                    label: "Cloud", optionLabels: Dictionary(uniqueKeysWithValues: MicrosoftClouds.profiles.map { ($0.name, $0.label) })),
        SettingSpec(name: "authority_host", kind: .httpsURL, platforms: microsoft,
                    help: "token endpoint host, overrides the cloud profile", label: "Authority host (token endpoint)",
                    placeholder: "https://login.microsoftonline.com"),
        SettingSpec(name: "graph_endpoint", kind: .httpsURL, platforms: microsoft,
                    help: "Microsoft Graph base URL, overrides the cloud profile", label: "Microsoft Graph endpoint",
                    placeholder: "https://graph.microsoft.com"),
        SettingSpec(name: "management_endpoint", kind: .httpsURL, platforms: [.azureAD],
                    help: "Azure Resource Manager base URL for the activity log", label: "Azure Resource Manager endpoint",
                    placeholder: "https://management.azure.com"),
        SettingSpec(name: "subscription_ids", kind: .textList(maxItems: 100), platforms: [.azureAD],
                    help: "Azure subscriptions whose activity log is collected (one per line)", label: "Subscription IDs"),
        SettingSpec(name: "logging_endpoint", kind: .httpsURL, platforms: [.gcp],
                    help: "Cloud Logging base URL", defaultValue: .string(GCPCatalog.defaultLoggingEndpoint),
                    label: "Cloud Logging endpoint", placeholder: GCPCatalog.defaultLoggingEndpoint),
        SettingSpec(name: "resource_names", kind: .textList(maxItems: 100), platforms: [.gcp],
                    help: "resourceNames to read, one per line, e.g. projects/acme-prod or organizations/1234 (default: the key's project, projects/{project_id})",
                    label: "Resource names"),
        SettingSpec(name: "filter", kind: .text(maxLength: 4_000), platforms: [.gcp],
                    help: "Cloud Logging filter ANDed with the time window", defaultValue: .string(GCPCatalog.defaultFilter),
                    label: "Log filter"),
        SettingSpec(name: "endpoint_url", kind: .httpsURL, platforms: [.aws],
                    help: "CloudTrail endpoint (VPC endpoint, FIPS, GovCloud)", label: "CloudTrail endpoint URL",
                    placeholder: "https://cloudtrail.eu-west-1.amazonaws.com"),
    ] + ConnectorCatalog.settingSpecs

    /// The smallest overlap a source may set (the catalog's floor of the platform).
    public static func overlapFloorMinutes(for platform: Platform) -> Int {
        PlatformCatalog.definition(of: platform).overlapFloorMinutes
    }

    /// The default of an integer setting (`initial_lookback_minutes` → 1440).
    public static func defaultInt(_ name: String) -> Int? { spec(named: name)?.defaultValue?.intValue }

    /// How far back a new source's first poll starts, unless it sets `initial_lookback_minutes`.
    public static var initialLookbackMinutes: Int { declaredDefault("initial_lookback_minutes") }

    /// Ids remembered per stream to drop re-reads, unless the source sets `dedup_max_ids`.
    public static var dedupMaxIDs: Int { declaredDefault("dedup_max_ids") }

    /// Polling intervals a watermark may trail before the stream is lagging, unless set.
    public static var lagAlertIntervals: Int { declaredDefault("lag_alert_intervals") }

    /// The default the spec above declares: the one place the number is written (a spec
    /// without one is a programming error; CatalogDefaultsTests and the poller's tests read these).
    private static func declaredDefault(_ name: String) -> Int {
        guard let value = defaultInt(name) else { preconditionFailure("SettingsSchema: \(name) declares no integer default") }
        return value
    }

    public static func spec(named name: String) -> SettingSpec? {
        specs.first { $0.name == name }
    }
}

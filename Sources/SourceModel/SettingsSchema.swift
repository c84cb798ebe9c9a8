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
}

public enum SettingsSchema {
    private static let microsoft: Set<Platform> = [.microsoft365, .azureAD]
    private static let all = Set(Platform.allCases)

    /// Streams (log types) each platform can collect; all by default.
    public static func streams(for platform: Platform) -> [String] {
        switch platform {
        case .microsoft365: ["directory_audits", "sign_ins"]
        case .azureAD: ["risk_detections", "provisioning", "activity_log"]
        case .gcp: ["cloud_audit"]
        case .aws: ["cloudtrail"]
        }
    }

    /// The keys the poller keeps checkpoints under for a source with these settings: its
    /// selected streams, the activity log as one `activity_log:<subscription>` per subscription.
    public static func streamKeys(for platform: Platform, settings: JSONValue) -> [String] {
        var selected = streams(for: platform)
        if case .array(let names)? = settings["streams"] {
            let wanted = Set(names.compactMap(\.stringValue))
            selected = selected.filter(wanted.contains)
        }
        let subscriptions: [String]
        if case .array(let items)? = settings["subscription_ids"] { subscriptions = items.compactMap(\.stringValue) } else { subscriptions = [] }
        return selected.flatMap { $0 == "activity_log" ? subscriptions.map { "activity_log:\($0)" } : [$0] }
    }

    public static let specs: [SettingSpec] = [
        SettingSpec(name: "initial_lookback_minutes", kind: .integer(1...43_200), platforms: all,
                    help: "how far back the first poll of a new source starts (default 1440)"),
        SettingSpec(name: "overlap_minutes", kind: .integer(1...2_880), platforms: all,
                    help: "window re-read behind the checkpoint to catch late events (at least the platform's floor)"),
        SettingSpec(name: "dedup_max_ids", kind: .integer(1_000...1_000_000), platforms: all,
                    help: "most event ids remembered per stream to drop re-reads (default 50000; past it a re-read may repeat an event, never lose one)"),
        SettingSpec(name: "page_size", kind: .integer(1...1_000), platforms: all,
                    help: "events per request ($top / pageSize / MaxResults)"),
        SettingSpec(name: "lag_alert_intervals", kind: .integer(1...1_000), platforms: all,
                    help: "polling intervals a stream's watermark may trail before it is flagged as lagging (default 4)"),
        SettingSpec(name: "streams", kind: .subsetOf(Platform.allCases.flatMap(streams(for:))), platforms: all,
                    help: "which log types to collect (default: all of the platform's)"),
        SettingSpec(name: "cloud", kind: .oneOf(["global", "usgov", "dod", "china"]), platforms: microsoft,
                    help: "national cloud profile picking the default hosts"),
        SettingSpec(name: "authority_host", kind: .httpsURL, platforms: microsoft,
                    help: "token endpoint host, overrides the cloud profile"),
        SettingSpec(name: "graph_endpoint", kind: .httpsURL, platforms: microsoft,
                    help: "Microsoft Graph base URL, overrides the cloud profile"),
        SettingSpec(name: "management_endpoint", kind: .httpsURL, platforms: [.azureAD],
                    help: "Azure Resource Manager base URL for the activity log"),
        SettingSpec(name: "subscription_ids", kind: .textList(maxItems: 100), platforms: [.azureAD],
                    help: "Azure subscriptions whose activity log is collected"),
        SettingSpec(name: "logging_endpoint", kind: .httpsURL, platforms: [.gcp],
                    help: "Cloud Logging base URL (default https://logging.googleapis.com)"),
        SettingSpec(name: "resource_names", kind: .textList(maxItems: 100), platforms: [.gcp],
                    help: "resourceNames to read (default projects/{project_id})"),
        SettingSpec(name: "filter", kind: .text(maxLength: 4_000), platforms: [.gcp],
                    help: "Cloud Logging filter ANDed with the time window"),
        SettingSpec(name: "endpoint_url", kind: .httpsURL, platforms: [.aws],
                    help: "CloudTrail endpoint (VPC endpoint, FIPS, GovCloud)"),
    ]

    /// The smallest overlap a source may set: events reach each API this late in normal
    /// operation (CloudTrail's LookupEvents lags by minutes), and no overlap at all would lose
    /// every event that arrives after the poll that passed its time.
    public static func overlapFloorMinutes(for platform: Platform) -> Int {
        switch platform {
        case .microsoft365, .azureAD: 2
        case .gcp: 1
        case .aws: 5
        }
    }

    public static func spec(named name: String) -> SettingSpec? {
        specs.first { $0.name == name }
    }
}

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

    public static let specs: [SettingSpec] = [
        SettingSpec(name: "initial_lookback_minutes", kind: .integer(1...43_200), platforms: all,
                    help: "how far back the first poll of a new source starts (default 1440)"),
        SettingSpec(name: "overlap_minutes", kind: .integer(0...2_880), platforms: all,
                    help: "window re-read behind the checkpoint to catch late events"),
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

    public static func spec(named name: String) -> SettingSpec? {
        specs.first { $0.name == name }
    }
}

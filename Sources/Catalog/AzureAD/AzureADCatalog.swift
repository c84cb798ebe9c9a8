/// Entra ID (Azure AD) through Microsoft Graph, plus the Azure activity log through Azure
/// Resource Manager, with the same app registration as Microsoft365.
public enum AzureADCatalog {
    /// Detections can appear up to 48 h after the sign-in and change state in place.
    public static let riskDetections = StreamDefinition(
        name: "risk_detections", label: "Risk detections", logType: "risk_detection", defaultOverlapSeconds: 48 * 3600)
    public static let provisioning = StreamDefinition(
        name: "provisioning", label: "Provisioning", logType: "provisioning_log", defaultOverlapSeconds: 30 * 60)
    /// One checkpoint per subscription, so a failing subscription holds back only its own cursor.
    /// Activity-log events commonly show up minutes (sometimes a quarter hour) late.
    public static let activityLog = StreamDefinition(
        name: "activity_log", label: "Azure activity log", logType: "activity_log", defaultOverlapSeconds: 60 * 60,
        perItem: .init(setting: "subscription_ids", item: "subscription"))

    public static let definition = PlatformDefinition(
        platform: .azureAD, label: "Entra ID (Azure AD)", streams: [riskDetections, provisioning, activityLog],
        credentials: MicrosoftCredentials.form, clouds: MicrosoftClouds.profiles, overlapFloorMinutes: 2,
        ownSettings: MicrosoftSettings.shared + [
            SettingSpec(name: "management_endpoint", kind: .httpsURL,
                        help: "Azure Resource Manager base URL for the activity log", label: "Azure Resource Manager endpoint",
                        placeholder: "https://management.azure.com"),
            SettingSpec(name: "subscription_ids", kind: .textList(maxItems: 100),
                        help: "Azure subscriptions whose activity log is collected (one per line)", label: "Subscription IDs"),
        ])
}

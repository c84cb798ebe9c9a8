/// Microsoft 365 audit and sign-in logs through Microsoft Graph.
public enum Microsoft365Catalog {
    public static let directoryAudits = StreamDefinition(
        name: "directory_audits", label: "Directory audits", logType: "audit_log", defaultOverlapSeconds: 30 * 60)
    /// Entra sign-ins are known to arrive late: a longer default overlap.
    public static let signIns = StreamDefinition(
        name: "sign_ins", label: "Sign-ins", logType: "sign_in_log", defaultOverlapSeconds: 60 * 60)

    public static let definition = PlatformDefinition(
        platform: .microsoft365, label: "Microsoft 365", streams: [directoryAudits, signIns],
        credentials: MicrosoftCredentials.form, clouds: MicrosoftClouds.profiles, overlapFloorMinutes: 2,
        ownSettings: MicrosoftSettings.shared)
}

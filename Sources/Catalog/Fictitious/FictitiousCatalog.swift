internal import JSONBytes

internal import Foundation

/// A platform that exists only for tests (SIEM_TEST_FICTITIOUS_PLATFORM=1 in the process's
/// environment): it proves that a platform is one folder and one registration line, and that
/// the admin page builds its form for a platform it has never heard of. No provider polls it.
public enum FictitiousCatalog {
    public static let environmentVariable = "SIEM_TEST_FICTITIOUS_PLATFORM"

    public static let auditLog = StreamDefinition(
        name: "fictitious_audit", label: "Fictitious audit log", logType: "audit_log", defaultOverlapSeconds: 10 * 60)

    public static let definition = PlatformDefinition(
        platform: Platform(defining: "Fictitious"), label: "Fictitious Cloud (test only)", streams: [auditLog],
        credentials: CredentialForm(
            fields: [
                CredentialField(name: "account_id", label: "Account ID", kind: .text, help: "The fictitious account."),
                CredentialField(name: "api_key", label: "API key", kind: .secret, help: "The fictitious account's key."),
            ],
            rules: { check in
                check.allow(["account_id", "api_key"])
                check.requireText("account_id", { TextRules.matches($0, allowed: \.isNumber, length: 6...12) },
                                  explain: "must be 6 to 12 digits")
                check.requireText("api_key", { (16...128).contains($0.count) }, explain: "must be 16 to 128 characters")
            }),
        overlapFloorMinutes: 1,
        ownSettings: [
            SettingSpec(name: "fictitious_region", kind: .oneOf(["eu-1", "us-1"]),
                        help: "where the fictitious account lives", defaultValue: .string("eu-1"), label: "Region"),
        ])

    /// The definition when the environment asks for it, else nothing.
    static var registration: [PlatformDefinition] {
        ProcessInfo.processInfo.environment[environmentVariable] == "1" ? [definition] : []
    }
}

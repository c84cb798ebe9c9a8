/// AWS CloudTrail management events through LookupEvents, with an access key.
public enum AWSCatalog {
    /// CloudTrail delivers an event within about 5 minutes on average, without guarantee.
    public static let cloudTrail = StreamDefinition(
        name: "cloudtrail", label: "CloudTrail", logType: "cloudtrail", defaultOverlapSeconds: 15 * 60)

    public static let definition = PlatformDefinition(
        platform: .aws, label: "AWS", streams: [cloudTrail], credentials: credentials, overlapFloorMinutes: 5,
        ownSettings: [
            SettingSpec(name: "endpoint_url", kind: .httpsURL,
                        help: "CloudTrail endpoint (VPC endpoint, FIPS, GovCloud)", label: "CloudTrail endpoint URL",
                        placeholder: "https://cloudtrail.eu-west-1.amazonaws.com"),
        ])

    static let credentials = CredentialForm(
        fields: [
            CredentialField(name: "access_key_id", label: "Access key ID", kind: .text, help: "e.g. AKIA…"),
            CredentialField(name: "secret_access_key", label: "Secret access key", kind: .secret, help: ""),
            CredentialField(name: "session_token", label: "Session token", kind: .secret, required: false,
                            help: "Only for temporary credentials."),
            CredentialField(name: "region", label: "Region", kind: .text,
                            help: "The region whose CloudTrail is read, e.g. eu-west-1.", placeholder: "eu-west-1"),
        ],
        rules: rules)

    private static func rules(_ check: inout CredentialCheck) {
        check.allow(["access_key_id", "secret_access_key", "session_token", "region"])
        check.requireText("access_key_id", { TextRules.matches($0, allowed: { ($0.isUppercase || $0.isNumber) && $0.isASCII }, length: 16...128) },
                          explain: "must be an AWS access key id (uppercase letters and digits)")
        check.requireText("secret_access_key", { (16...128).contains($0.count) && !TextRules.hasControlCharacters($0) },
                          explain: "must be 16 to 128 characters")
        check.requireText("region", { region in
            let parts = region.split(separator: "-")
            return parts.count >= 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ($0.isLowercase || $0.isNumber) && $0.isASCII } }
                && parts.last!.allSatisfy(\.isNumber)
        }, explain: "must be an AWS region such as eu-west-1")
        if check.has("session_token") {
            check.requireText("session_token", { (16...4096).contains($0.count) && !TextRules.hasControlCharacters($0) },
                              explain: "must be the temporary session token")
        }
    }
}

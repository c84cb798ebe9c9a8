internal import JSONBytes

/// Google Cloud audit logs through Cloud Logging, with a service-account key.
public enum GCPCatalog {
    /// Audit entries usually land within a minute or two; 30 min of overlap catches stragglers.
    public static let cloudAudit = StreamDefinition(
        name: "cloud_audit", label: "Cloud Audit Logs", logType: "cloud_audit_log", defaultOverlapSeconds: 30 * 60)

    public static let defaultLoggingEndpoint = "https://logging.googleapis.com"
    /// Every Cloud Audit Log (admin activity, data access, system event, policy denied).
    public static let defaultFilter = "logName:\"cloudaudit.googleapis.com\""

    public static let definition = PlatformDefinition(
        platform: .gcp, label: "Google Cloud", streams: [cloudAudit], credentials: credentials, overlapFloorMinutes: 1,
        ownSettings: [
            SettingSpec(name: "logging_endpoint", kind: .httpsURL,
                        help: "Cloud Logging base URL", defaultValue: .string(defaultLoggingEndpoint),
                        label: "Cloud Logging endpoint", placeholder: defaultLoggingEndpoint),
            SettingSpec(name: "resource_names", kind: .textList(maxItems: 100),
                        help: "resourceNames to read, one per line, e.g. projects/acme-prod or organizations/1234 (default: the key's project, projects/{project_id})",
                        label: "Resource names"),
            SettingSpec(name: "filter", kind: .text(maxLength: 4_000),
                        help: "Cloud Logging filter ANDed with the time window", defaultValue: .string(defaultFilter),
                        label: "Log filter"),
        ])

    /// The service-account key file, whole: its members are `api_credentials_json`.
    static let credentials = CredentialForm(
        fields: [
            CredentialField(name: "service_account_key", label: "Service-account key (JSON)", kind: .file,
                            help: "Paste the key file's JSON, or choose the file below. It is sent once and stored encrypted."),
        ],
        rules: rules)

    private static func rules(_ check: inout CredentialCheck) {
        check.allow(["type", "project_id", "private_key_id", "private_key", "client_email", "client_id",
                     "auth_uri", "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url", "universe_domain"])
        check.requireText("type", { $0 == "service_account" }, explain: "must be \"service_account\"")
        check.requireText("project_id", { TextRules.matches($0, allowed: { $0.isLetter || $0.isNumber || $0 == "-" || $0 == ":" || $0 == "." }, length: 4...100) },
                          explain: "must be a Google Cloud project id")
        check.requireText("private_key_id", { TextRules.matches($0, allowed: TextRules.isASCIIHexDigit, length: 8...128) },
                          explain: "must be the key's hex id")
        let isRSAPrivateKey = check.readers.isRSAPrivateKey
        check.requireText("private_key", isRSAPrivateKey,
                          explain: "must be the PEM RSA private key of the service account and parse")
        check.requireText("client_email", { $0.contains("@") && !TextRules.hasControlCharacters($0) && $0.count <= 320 },
                          explain: "must be the service account's e-mail address")
        check.requireText("token_uri", TextRules.isHTTPSURL, explain: "must be an https URL")
    }
}

// What each platform needs: credential fields, streams and settings.
// Mirrors Sources/SourceModel/SettingsSchema.swift and CredentialValidator.swift;
// the API stays the judge of what is valid.

const COMMON_SETTINGS = [
  { name: "initial_lookback_minutes", label: "Initial lookback (minutes)", kind: "int", min: 1, max: 43200,
    help: "How far back the first poll of a new source starts. Default 1440 (one day)." },
  { name: "overlap_minutes", label: "Overlap (minutes)", kind: "int", min: 1, max: 2880,
    help: "Window re-read behind the checkpoint to catch late events (at least 2 for Microsoft, 1 for GCP, 5 for AWS)." },
  { name: "dedup_max_ids", label: "Remembered event ids per stream", kind: "int", min: 1000, max: 1000000,
    help: "Default 50000. Ids of delivered events kept to drop re-reads; past this a re-read may repeat an event, never lose one." },
  { name: "page_size", label: "Page size (events per request)", kind: "int", min: 1, max: 1000,
    help: "Leave empty for the provider's default." },
  { name: "lag_alert_intervals", label: "Lag alert (polling intervals)", kind: "int", min: 1, max: 1000,
    help: "A stream whose watermark trails by more than this many polling intervals is flagged as lagging. Default 4." },
];

/** The lag rule of sql/012 (siem_stream_metrics): watermark older than N polling intervals. */
export const DEFAULT_LAG_ALERT_INTERVALS = 4;

const MICROSOFT_ENDPOINTS = [
  { name: "cloud", label: "Cloud", kind: "select",
    options: [["", "Default (global)"], ["global", "Global"], ["usgov", "US Government (GCC High)"],
      ["dod", "US DoD"], ["china", "China (21Vianet)"]],
    help: "National cloud profile that picks the default hosts." },
  { name: "authority_host", label: "Authority host (token endpoint)", kind: "url",
    placeholder: "https://login.microsoftonline.com", help: "Overrides the cloud profile." },
  { name: "graph_endpoint", label: "Microsoft Graph endpoint", kind: "url",
    placeholder: "https://graph.microsoft.com", help: "Overrides the cloud profile." },
];

const MICROSOFT_CREDENTIALS = [
  { name: "tenant_id", label: "Directory (tenant) ID", kind: "text", autocomplete: "off",
    help: "GUID or domain, e.g. contoso.onmicrosoft.com." },
  { name: "client_id", label: "Application (client) ID", kind: "text", autocomplete: "off", help: "GUID." },
  { name: "auth_method", label: "The app proves itself with", kind: "choice",
    options: [["secret", "A client secret"], ["certificate", "A certificate"]],
    help: "Microsoft recommends a certificate: upload its public part to the app registration "
      + "(Certificates & secrets), keep the private key here." },
  { name: "client_secret", label: "Client secret", kind: "password", autocomplete: "new-password",
    when: ["auth_method", "secret"], help: "The secret's value (not its id)." },
  { name: "certificate_pem", label: "Certificate (PEM)", kind: "pem-file", when: ["auth_method", "certificate"],
    accept: ".pem,.crt,.cer", fileLabel: "…or load the certificate file", fileWhat: "a certificate",
    placeholder: "-----BEGIN CERTIFICATE-----",
    help: "The certificate uploaded to the app registration." },
  { name: "private_key_pem", label: "Private key (PEM)", kind: "pem-file", secret: true,
    when: ["auth_method", "certificate"], accept: ".pem,.key", fileLabel: "…or load the key file",
    fileWhat: "a private key", placeholder: "-----BEGIN PRIVATE KEY-----",
    help: "The certificate's RSA private key, unencrypted (PKCS#8 or PKCS#1). Sent once and stored encrypted." },
];

export const PLATFORMS = {
  Microsoft365: {
    label: "Microsoft 365",
    streams: [["directory_audits", "Directory audits"], ["sign_ins", "Sign-ins"]],
    credentials: MICROSOFT_CREDENTIALS,
    settings: COMMON_SETTINGS,
    endpoints: MICROSOFT_ENDPOINTS,
  },
  AzureAD: {
    label: "Entra ID (Azure AD)",
    streams: [["risk_detections", "Risk detections"], ["provisioning", "Provisioning"],
      ["activity_log", "Azure activity log"]],
    credentials: MICROSOFT_CREDENTIALS,
    settings: COMMON_SETTINGS,
    endpoints: [
      ...MICROSOFT_ENDPOINTS,
      { name: "management_endpoint", label: "Azure Resource Manager endpoint", kind: "url",
        placeholder: "https://management.azure.com", help: "For the activity log." },
      { name: "subscription_ids", label: "Subscription IDs", kind: "list",
        help: "One per line: the subscriptions whose activity log is collected." },
    ],
  },
  GCP: {
    label: "Google Cloud",
    streams: [["cloud_audit", "Cloud Audit Logs"]],
    credentials: [
      { name: "service_account_key", label: "Service-account key (JSON)", kind: "json-file",
        accept: ".json,application/json", fileLabel: "…or load the key file", fileWhat: "a service-account key",
        help: "Paste the key file's JSON, or choose the file below. It is sent once and stored encrypted." },
    ],
    settings: COMMON_SETTINGS,
    endpoints: [
      { name: "logging_endpoint", label: "Cloud Logging endpoint", kind: "url",
        placeholder: "https://logging.googleapis.com", help: "" },
      { name: "resource_names", label: "Resource names", kind: "list",
        help: "One per line, e.g. projects/acme-prod or organizations/1234. Default: the key's project." },
      { name: "filter", label: "Log filter", kind: "textarea",
        help: "Cloud Logging filter, ANDed with the time window." },
    ],
  },
  AWS: {
    label: "AWS",
    streams: [["cloudtrail", "CloudTrail"]],
    credentials: [
      { name: "access_key_id", label: "Access key ID", kind: "text", autocomplete: "off", help: "e.g. AKIA…" },
      { name: "secret_access_key", label: "Secret access key", kind: "password", autocomplete: "new-password",
        help: "" },
      { name: "session_token", label: "Session token (optional)", kind: "password", autocomplete: "off",
        help: "Only for temporary credentials." },
      { name: "region", label: "Region", kind: "text", autocomplete: "off", placeholder: "eu-west-1",
        help: "The region whose CloudTrail is read, e.g. eu-west-1." },
    ],
    settings: COMMON_SETTINGS,
    endpoints: [
      { name: "endpoint_url", label: "CloudTrail endpoint URL", kind: "url",
        placeholder: "https://cloudtrail.eu-west-1.amazonaws.com", help: "VPC endpoint, FIPS or GovCloud." },
    ],
  },
};

export const PLATFORM_NAMES = Object.keys(PLATFORMS);

export function platformLabel(name) {
  return PLATFORMS[name] ? PLATFORMS[name].label : name;
}

/** The streams a source collects: its settings.streams, else all of its platform's. */
export function configuredStreams(source) {
  const all = (PLATFORMS[source.platform]?.streams || []).map(([s]) => s);
  const chosen = source.settings && Array.isArray(source.settings.streams) ? source.settings.streams : null;
  return chosen && chosen.length ? chosen : all;
}

/** The keys the poller keeps checkpoints under: the activity log has one per subscription. */
export function streamKeys(source) {
  const subscriptions = source.settings && Array.isArray(source.settings.subscription_ids) ? source.settings.subscription_ids : [];
  return configuredStreams(source).flatMap((stream) =>
    stream === "activity_log" ? subscriptions.map((sub) => `activity_log:${sub}`) : [stream]);
}

export const TEST_STATUS_LABELS = {
  ok: "OK",
  bad_credentials: "Bad credentials",
  missing_permission: "Missing permission",
  missing_licence: "Missing licence",
  throttled: "Throttled",
  unreachable: "Unreachable",
  error: "Error",
};

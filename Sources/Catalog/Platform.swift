/// The cloud platforms a source can poll.
public enum Platform: String, Sendable, CaseIterable, Hashable {
    case microsoft365 = "Microsoft365"
    case azureAD = "AzureAD"
    case gcp = "GCP"
    case aws = "AWS"

    /// Accepts the canonical spelling only (the API documents it; a near miss is an error).
    public init?(name: String) { self.init(rawValue: name) }

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

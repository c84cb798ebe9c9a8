/// A cloud platform a source can poll, spelled as the API and the database spell it. The
/// platforms are those registered in `PlatformCatalog.all`: adding one is a folder with its
/// definition and one line there, not a new case to handle in every switch.
public struct Platform: RawRepresentable, Sendable, Hashable, CaseIterable {
    public let rawValue: String

    public static let microsoft365 = Platform(defining: "Microsoft365")
    public static let azureAD = Platform(defining: "AzureAD")
    public static let gcp = Platform(defining: "GCP")
    public static let aws = Platform(defining: "AWS")

    /// Every registered platform, in the catalog's order.
    public static let allCases: [Platform] = PlatformCatalog.all.map(\.platform)

    /// A registered platform's canonical spelling only (a near miss is an error).
    public init?(rawValue: String) {
        guard let found = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = found
    }

    /// Names a platform for its catalog definition; it exists for the API once registered.
    public init(defining name: String) { rawValue = name }

    /// Accepts the canonical spelling only (the API documents it; a near miss is an error).
    public init?(name: String) { self.init(rawValue: name) }

    /// A name read from the database: the registered platform, else one this process does not
    /// know (sql/013 admits any catalog-shaped name; its declaration may be missing here). Such a
    /// source is listed and fails alone instead of failing every query that meets it.
    public init(stored name: String) { self = Platform(rawValue: name) ?? Platform(defining: name) }

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The registry: one line per platform. A platform's definition lives in its own folder.
public enum PlatformCatalog {
    public static let all: [PlatformDefinition] = builtIn + FictitiousCatalog.registration + ConnectorCatalog.definitions

    /// The platforms written in Swift; the others are declared in `connectors/` (ConnectorCatalog).
    static let builtIn: [PlatformDefinition] = [
        Microsoft365Catalog.definition,
        AzureADCatalog.definition,
        GCPCatalog.definition,
        AWSCatalog.definition,
    ]

    /// Every `Platform` case is registered (a catalog test checks it), so the lookup cannot fail.
    public static func definition(of platform: Platform) -> PlatformDefinition {
        guard let found = registered(platform) else {
            preconditionFailure("\(platform.rawValue) is not registered in PlatformCatalog.all")
        }
        return found
    }

    /// The definition, or nil for a platform stored in the database that this process was not
    /// given (a source whose connector declaration is not in SIEM_CONNECTORS_DIR).
    public static func registered(_ platform: Platform) -> PlatformDefinition? {
        all.first { $0.platform == platform }
    }
}

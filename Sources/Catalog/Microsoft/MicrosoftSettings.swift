internal import JSONBytes

/// The settings Microsoft 365 and Entra ID share: the national cloud and the hosts it implies.
enum MicrosoftSettings {
    static let platforms: Set<Platform> = [.microsoft365, .azureAD]

    static let shared: [SettingSpec] = [
        SettingSpec(name: "cloud", kind: .oneOf(MicrosoftClouds.profiles.map(\.name)), platforms: platforms,
                    help: "national cloud profile picking the default hosts", defaultValue: .string(MicrosoftClouds.defaultName),
                    label: "Cloud", optionLabels: Dictionary(uniqueKeysWithValues: MicrosoftClouds.profiles.map { ($0.name, $0.label) })),
        SettingSpec(name: "authority_host", kind: .httpsURL, platforms: platforms,
                    help: "token endpoint host, overrides the cloud profile", label: "Authority host (token endpoint)",
                    placeholder: "https://login.microsoftonline.com"),
        SettingSpec(name: "graph_endpoint", kind: .httpsURL, platforms: platforms,
                    help: "Microsoft Graph base URL, overrides the cloud profile", label: "Microsoft Graph endpoint",
                    placeholder: "https://graph.microsoft.com"),
    ]
}

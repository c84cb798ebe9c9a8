internal import JSONBytes

/// A declaration as the catalog's platform definition, settings and credential rules, so the
/// API, the admin page and the poller treat a declared platform like a built-in one.
enum ConnectorDefinition {
    static func platform(_ declaration: ConnectorDeclaration) -> PlatformDefinition {
        PlatformDefinition(
            platform: Platform(defining: declaration.platform), label: declaration.label,
            streams: declaration.streams.map {
                StreamDefinition(name: $0.name, label: $0.label, logType: $0.logType,
                                 defaultOverlapSeconds: Int64($0.defaultOverlapMinutes) * 60)
            },
            credentials: credentialForm(declaration.credentials),
            overlapFloorMinutes: declaration.overlapFloorMinutes, ownSettings: settings(declaration), connector: declaration)
    }

    static func settings(_ declaration: ConnectorDeclaration) -> [SettingSpec] {
        let platform = Platform(defining: declaration.platform)
        return declaration.settings.map { setting in
            let kind: SettingSpec.Kind
            var hosts: [String] = []
            switch setting.kind {
            case .url(let allowed):
                kind = .httpsURL
                hosts = allowed
            case .text(let maxLength):
                kind = .text(maxLength: maxLength)
            }
            return SettingSpec(name: setting.name, kind: kind, platforms: [platform], help: setting.help,
                               defaultValue: setting.defaultValue.map { .string($0) }, label: setting.label,
                               placeholder: setting.placeholder, hosts: hosts, required: setting.required)
        }
    }

    static func credentialForm(_ credentials: ConnectorDeclaration.Credentials) -> CredentialForm {
        CredentialForm(
            choice: credentials.choice.map { choice in
                CredentialChoice(name: choice.name, label: choice.label, help: choice.help,
                                 options: choice.options.map { .init(value: $0.value, label: $0.label) })
            },
            fields: credentials.fields.map { field in
                CredentialField(name: field.name, label: field.label, kind: CredentialField.Kind(rawValue: field.kind.rawValue) ?? .text,
                                required: field.required, help: field.help, placeholder: field.placeholder, secret: field.secret,
                                alternative: field.alternative)
            },
            rules: { check in rules(credentials, &check) })
    }

    /// Every member must be a declared field; the fields of one alternative (the one given) are
    /// required, another alternative's are refused.
    static func rules(_ credentials: ConnectorDeclaration.Credentials, _ check: inout CredentialCheck) {
        check.allow(Set(credentials.fields.map(\.name)))
        let chosen = chosenAlternative(credentials, members: Set(check.members.map(\.key)))
        if let choice = credentials.choice {
            let given = Set(credentials.fields.filter { $0.alternative != nil && check.has($0.name) }.compactMap(\.alternative))
            if given.count > 1 {
                check.add(nil, "give the fields of one way to sign in only (\(choice.options.map(\.value).joined(separator: " or ")))")
                return
            }
        }
        let isRSAPrivateKey = check.readers.isRSAPrivateKey
        for field in credentials.fields where field.alternative == nil || field.alternative == chosen {
            if !field.required && !check.has(field.name) { continue }
            if field.rsaPrivateKey {
                check.requireText(field.name, { valid($0, field) && isRSAPrivateKey($0) },
                                  explain: "must be a PEM RSA private key (PKCS#8 or PKCS#1, at least 2048 bits) and parse")
            } else {
                check.requireText(field.name, { valid($0, field) }, explain: explanation(field))
            }
        }
    }

    /// The option whose fields are given (the first option when none is).
    static func chosenAlternative(_ credentials: ConnectorDeclaration.Credentials, members: Set<String>) -> String? {
        guard let choice = credentials.choice else { return nil }
        for option in choice.options where credentials.fields.contains(where: { $0.alternative == option.value && members.contains($0.name) }) {
            return option.value
        }
        return choice.options.first?.value
    }

    private static func valid(_ text: String, _ field: ConnectorDeclaration.Credentials.Field) -> Bool {
        guard (field.minLength...field.maxLength).contains(text.count) else { return false }
        if field.kind != .pem, TextRules.hasControlCharacters(text) { return false }
        if let pattern = field.pattern {
            guard let regex = try? Regex(pattern), (try? regex.wholeMatch(in: text)) != nil else { return false }
        }
        return true
    }

    private static func explanation(_ field: ConnectorDeclaration.Credentials.Field) -> String {
        var text = "must be \(field.minLength) to \(field.maxLength) characters"
        if field.pattern != nil { text += " in the documented form" }
        if !field.help.isEmpty { text += " (\(field.help))" }
        return text
    }
}

public import JSONBytes

extension ConnectorDeclaration {
    /// Reads and checks a declaration; the first problem names the JSON path of its field.
    /// `reserved`: names already taken by the built-in platforms (platforms and settings).
    public static func parse(_ json: JSONValue, reservedPlatforms: Set<String> = [],
                             reservedSettings: Set<String> = []) throws(DeclarationProblem) -> ConnectorDeclaration {
        let root = DeclarationReader(json)
        _ = try root.object(allowing: ["description", "platform", "label", "overlap_floor_minutes", "settings",
                                       "credentials", "auth", "pacing", "errors", "streams"])
        let platformReader = try root.required("platform")
        let platform = try platformReader.string()
        guard let first = platform.unicodeScalars.first, ("A"..."Z").contains(first), (2...40).contains(platform.count),
              platform.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) })
        else { throw platformReader.fail("must be 2 to 40 letters and digits starting with a capital letter, e.g. Okta") }
        if reservedPlatforms.contains(platform) { throw platformReader.fail("\(platform) is already a platform") }

        let settings = try (root.member("settings")?.array() ?? []).map { (reader) throws(DeclarationProblem) in try setting(reader) }
        var seenSettings = Set<String>()
        for (index, setting) in settings.enumerated() {
            let nameField = DeclarationReader(.null, path: "$.settings[\(index)].name")
            if reservedSettings.contains(setting.name) { throw nameField.fail("\(setting.name) is already a setting of another platform; use a name of this platform's own, e.g. \(platform.lowercased())_\(setting.name)") }
            guard seenSettings.insert(setting.name).inserted else { throw nameField.fail("\(setting.name) is declared twice") }
        }
        let credentials = try self.credentials(try root.required("credentials"))
        let scope = NameScope(settings: Dictionary(settings.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }),
                              credentials: Set(credentials.fields.map(\.name)))
        let auth = try authList(try root.required("auth"), credentials: credentials, scope: scope)
        let pacing = try root.member("pacing").map { (reader) throws(DeclarationProblem) in try self.pacing(reader, scope: scope) }
        let errors = try (root.member("errors")?.array() ?? []).map { (reader) throws(DeclarationProblem) in try errorRule(reader) }
        let streamReaders = try root.required("streams").array()
        guard !streamReaders.isEmpty else { throw DeclarationProblem(path: "$.streams", message: "must declare at least one stream") }
        var streams: [Stream] = []
        for reader in streamReaders {
            let stream = try self.stream(reader, scope: scope)
            if streams.contains(where: { $0.name == stream.name }) { throw DeclarationProblem(path: "\(reader.path).name", message: "\(stream.name) is declared twice") }
            streams.append(stream)
        }
        return ConnectorDeclaration(
            platform: platform, label: try root.required("label").nonEmptyString(),
            overlapFloorMinutes: try root.member("overlap_floor_minutes")?.int(1...1440) ?? 1,
            settings: settings, credentials: credentials, auth: auth, pacing: pacing, errors: errors, streams: streams)
    }

    /// The names a template may use.
    struct NameScope {
        var settings: [String: Setting]
        var credentials: Set<String>

        func check(_ template: Template, at reader: DeclarationReader, allowWindow: Bool = false,
                   allowTokenURL: Bool = false) throws(DeclarationProblem) {
            for placeholder in template.placeholders {
                switch placeholder {
                case .setting(let name) where settings[name] == nil:
                    throw reader.fail("names {settings.\(name)}, which is not a declared setting")
                case .credential(let name) where !credentials.contains(name):
                    throw reader.fail("names {credentials.\(name)}, which is not a declared credential field")
                case .windowStart, .windowEnd, .pageSize:
                    if !allowWindow { throw reader.fail("may use {window.start}, {window.end} and {page_size} only in a stream's request") }
                case .tokenURL:
                    if !allowTokenURL { throw reader.fail("may use {token_url} only in an assertion's audience") }
                default:
                    break
                }
            }
        }

        /// A URL the poller will call: it must start with an https URL setting (whose host the
        /// API checks against the declared hosts) or a literal https URL, and carry no secret.
        func checkURL(_ template: Template, at reader: DeclarationReader, allowWindow: Bool = false) throws(DeclarationProblem) {
            try check(template, at: reader, allowWindow: allowWindow)
            switch template.parts.first {
            case .placeholder(.setting(let name))?:
                guard case .url = settings[name]?.kind else {
                    throw reader.fail("must start with an https URL setting ({settings.\(name)} is not one) or with https://")
                }
            case .literal(let text)? where text.hasPrefix("https://") && (text.dropFirst(8).contains("/") || template.parts.count == 1):
                break
            default:
                throw reader.fail("must start with an https URL setting ({settings.<name>}) or with https://host/ (the host is then fixed)")
            }
            if template.carriesCredential {
                throw reader.fail("must not carry credentials (URLs end up in logs)")
            }
        }
    }

    private static func setting(_ reader: DeclarationReader) throws(DeclarationProblem) -> Setting {
        _ = try reader.object(allowing: ["name", "label", "help", "type", "hosts", "default", "required", "placeholder", "max_length"])
        let name = try reader.required("name").identifier()
        let typeReader = try reader.required("type")
        let kind: Setting.Kind
        switch try typeReader.string() {
        case "url":
            let hostsReader = try reader.required("hosts")
            let hosts = try hostsReader.array().map { (host) throws(DeclarationProblem) in
                let text = try host.nonEmptyString()
                guard Self.isHostPattern(text) else { throw host.fail("must be a host pattern: host, *.domain, or * inside a label") }
                return text
            }
            guard !hosts.isEmpty else { throw hostsReader.fail("must list the platform's public hosts for this URL") }
            kind = .url(hosts: hosts)
        case "text":
            kind = .text(maxLength: try reader.member("max_length")?.int(1...4000) ?? 200)
        default:
            throw typeReader.fail("must be one of url, text")
        }
        let defaultReader = reader.member("default")
        let defaultValue = try defaultReader?.string()
        if let defaultValue, case .url = kind, !TextRules.isHTTPSURL(defaultValue) {
            throw defaultReader!.fail("must be an https URL")
        }
        return Setting(name: name, label: try reader.required("label").nonEmptyString(),
                       help: try reader.member("help")?.string() ?? "", kind: kind, defaultValue: defaultValue,
                       required: try reader.member("required")?.bool() ?? false,
                       placeholder: try reader.member("placeholder")?.string())
    }

    /// Host, `*.domain` or `*` inside a label, optionally `:port` (SourceModel's HostPattern reads it).
    static func isHostPattern(_ text: String) -> Bool {
        text.count <= 253 && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-.*:".unicodeScalars.contains($0) }
            && !text.hasPrefix(".") && !text.hasSuffix(".") && !text.contains("..")
    }

    private static func credentials(_ reader: DeclarationReader) throws(DeclarationProblem) -> Credentials {
        _ = try reader.object(allowing: ["choice", "fields"])
        var choice: Credentials.Choice?
        if let choiceReader = reader.member("choice") {
            _ = try choiceReader.object(allowing: ["name", "label", "help", "options"])
            let optionsReader = try choiceReader.required("options")
            let options = try optionsReader.array().map { (option) throws(DeclarationProblem) -> (value: String, label: String) in
                _ = try option.object(allowing: ["value", "label"])
                return (try option.required("value").identifier(), try option.required("label").nonEmptyString())
            }
            guard options.count >= 2 else { throw optionsReader.fail("must offer at least two ways to sign in") }
            choice = Credentials.Choice(name: try choiceReader.required("name").identifier(),
                                        label: try choiceReader.required("label").nonEmptyString(),
                                        help: try choiceReader.member("help")?.string() ?? "", options: options)
        }
        let fieldsReader = try reader.required("fields")
        var fields: [Credentials.Field] = []
        for fieldReader in try fieldsReader.array() {
            _ = try fieldReader.object(allowing: ["name", "label", "kind", "help", "placeholder", "secret", "alternative",
                                                  "min_length", "max_length", "pattern", "rsa_private_key", "required"])
            let name = try fieldReader.required("name").identifier()
            if fields.contains(where: { $0.name == name }) { throw fieldReader.fail("\(name) is declared twice") }
            let kind = try fieldReader.required("kind").oneOf(Credentials.Field.Kind.self, [.text, .secret, .pem])
            var alternative: String?
            if let alternativeReader = fieldReader.member("alternative") {
                let value = try alternativeReader.string()
                guard let choice, choice.options.contains(where: { $0.value == value }) else {
                    throw alternativeReader.fail("must be one of the choice's option values")
                }
                alternative = value
            }
            let patternReader = fieldReader.member("pattern")
            let pattern = try patternReader?.string()
            if let pattern, (try? Regex(pattern)) == nil { throw patternReader!.fail("is not a valid regular expression") }
            let minLength = try fieldReader.member("min_length")?.int(0...100_000) ?? 1
            let maxLength = try fieldReader.member("max_length")?.int(1...100_000) ?? (kind == .pem ? 16_384 : 1024)
            if minLength > maxLength { throw fieldReader.fail("min_length is larger than max_length") }
            fields.append(Credentials.Field(
                name: name, label: try fieldReader.required("label").nonEmptyString(), kind: kind,
                help: try fieldReader.member("help")?.string() ?? "", placeholder: try fieldReader.member("placeholder")?.string(),
                secret: try fieldReader.member("secret")?.bool() ?? (kind == .secret), alternative: alternative,
                required: try fieldReader.member("required")?.bool() ?? true, minLength: minLength, maxLength: maxLength, pattern: pattern,
                rsaPrivateKey: try fieldReader.member("rsa_private_key")?.bool() ?? false))
        }
        guard !fields.isEmpty else { throw fieldsReader.fail("must declare at least one credential field") }
        if let choice {
            for option in choice.options where !fields.contains(where: { $0.alternative == option.value }) {
                throw DeclarationProblem(path: "\(reader.path).choice.options", message: "option \(option.value) has no field")
            }
        }
        return Credentials(choice: choice, fields: fields)
    }

    private static func authList(_ reader: DeclarationReader, credentials: Credentials,
                                 scope: NameScope) throws(DeclarationProblem) -> [Auth] {
        let items = try reader.array()
        var list: [Auth] = []
        for item in items {
            list.append(try auth(item, credentials: credentials, scope: scope))
        }
        if let choice = credentials.choice {
            for option in choice.options where !list.contains(where: { $0.alternative == option.value }) {
                throw reader.fail("has no entry for the credential option \(option.value) (set \"alternative\")")
            }
        } else if list.count != 1 {
            throw reader.fail("must hold exactly one way to sign in when the credentials offer no choice")
        }
        return list
    }

    private static func auth(_ reader: DeclarationReader, credentials: Credentials,
                             scope: NameScope) throws(DeclarationProblem) -> Auth {
        _ = try reader.object(allowing: ["alternative", "kind", "header", "value", "username", "password", "token_url",
                                         "client_id", "client_secret", "private_key", "key_id", "scope", "claims",
                                         "lifetime_seconds", "token_prefix"])
        var alternative: String?
        if let alternativeReader = reader.member("alternative") {
            let value = try alternativeReader.string()
            guard credentials.choice?.options.contains(where: { $0.value == value }) ?? false else {
                throw alternativeReader.fail("must be one of the credential choice's option values")
            }
            alternative = value
        }
        func template(_ name: String, tokenURL: Bool = false) throws(DeclarationProblem) -> Template {
            let member = try reader.required(name)
            let value = try member.template()
            try scope.check(value, at: member, allowTokenURL: tokenURL)
            return value
        }
        func optional(_ name: String, tokenURL: Bool = false) throws(DeclarationProblem) -> Template? {
            guard reader.member(name) != nil else { return nil }
            return try template(name, tokenURL: tokenURL)
        }
        func tokenURL() throws(DeclarationProblem) -> Template {
            let member = try reader.required("token_url")
            let value = try member.template()
            try scope.checkURL(value, at: member)
            return value
        }
        let prefix = try reader.member("token_prefix")?.string() ?? "Bearer "
        let kindReader = try reader.required("kind")
        let kind: Auth.Kind
        switch try kindReader.string() {
        case "static_header":
            let header = try reader.required("header").nonEmptyString()
            guard header.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw DeclarationProblem(path: "\(reader.path).header", message: "must be a header name")
            }
            kind = .staticHeader(name: header, value: try template("value"))
        case "basic":
            kind = .basic(username: try template("username"), password: try template("password"))
        case "oauth2_client_credentials":
            let secret = try optional("client_secret")
            let key = try optional("private_key")
            if (secret == nil) == (key == nil) {
                throw reader.fail("needs either client_secret or private_key (a private-key JWT client assertion)")
            }
            kind = .clientCredentials(Auth.ClientCredentials(
                tokenURL: try tokenURL(), clientID: try template("client_id"), clientSecret: secret, assertionKey: key,
                keyID: try optional("key_id"), scope: try optional("scope"), tokenPrefix: prefix))
        case "oauth2_jwt_bearer":
            let claimsReader = try reader.required("claims")
            var claims: [(name: String, value: Template)] = []
            for (name, _) in try claimsReader.object(allowing: ["iss", "sub", "aud", "scope"]) {
                let member = try claimsReader.required(name)
                let value = try member.template()
                try scope.check(value, at: member, allowTokenURL: true)
                claims.append((name, value))
            }
            for needed in ["iss", "aud"] where !claims.contains(where: { $0.name == needed }) {
                throw DeclarationProblem(path: "\(claimsReader.path).\(needed)", message: "is required")
            }
            kind = .jwtBearer(Auth.JWTBearer(
                tokenURL: try tokenURL(), privateKey: try template("private_key"), keyID: try optional("key_id"),
                claims: claims, lifetimeSeconds: try reader.member("lifetime_seconds")?.int(60...3600) ?? 3600, tokenPrefix: prefix))
        default:
            throw kindReader.fail("must be one of static_header, basic, oauth2_client_credentials, oauth2_jwt_bearer")
        }
        return Auth(alternative: alternative, kind: kind)
    }

    private static func pacing(_ reader: DeclarationReader, scope: NameScope) throws(DeclarationProblem) -> Pacing {
        _ = try reader.object(allowing: ["requests", "per_seconds", "key", "reset_header", "reset_format", "remaining_header"])
        let keyReader = try reader.required("key")
        let key = try keyReader.template()
        try scope.check(key, at: keyReader)
        return Pacing(requests: try reader.required("requests").int(1...100_000),
                      perSeconds: try reader.required("per_seconds").int(1...86_400), key: key,
                      resetHeader: try reader.member("reset_header")?.nonEmptyString(),
                      resetFormat: try reader.member("reset_format")?.oneOf(Pacing.ResetFormat.self, [.epochSeconds, .deltaSeconds]) ?? .epochSeconds,
                      remainingHeader: try reader.member("remaining_header")?.nonEmptyString())
    }

    private static func errorRule(_ reader: DeclarationReader) throws(DeclarationProblem) -> ErrorRule {
        _ = try reader.object(allowing: ["status", "body_path", "equals", "meaning", "message_path"])
        let status = try reader.member("status")?.int(100...599)
        let bodyPath = try reader.member("body_path")?.jsonPath()
        let equals = try reader.member("equals")?.string()
        if status == nil && bodyPath == nil { throw reader.fail("needs a status, a body_path, or both") }
        if (bodyPath == nil) != (equals == nil) { throw reader.fail("body_path and equals go together") }
        return ErrorRule(status: status, bodyPath: bodyPath, bodyEquals: equals,
                         meaning: try reader.required("meaning").oneOf(ErrorRule.Meaning.self, ErrorRule.Meaning.allCases),
                         messagePath: try reader.member("message_path")?.jsonPath())
    }
}

/// One input of a platform's `api_credentials_json`, as a client (the admin page) shows it.
/// Definitions only: no value ever appears here.
public struct CredentialField: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// An identifier typed as text (tenant id, region).
        case text
        /// A secret typed into a password input.
        case secret
        /// A PEM document, pasted or loaded from a file.
        case pem
        /// A JSON key file whose members are the whole credentials object (a GCP key).
        case file
    }

    public var name: String
    public var label: String
    public var kind: Kind
    /// Required whenever its alternative (if any) is the one chosen.
    public var required: Bool
    public var help: String
    public var placeholder: String?
    /// Never shown again once stored (a private key is a secret although it is PEM).
    public var secret: Bool
    /// The option of the form's `choice` this field belongs to; nil when always asked.
    public var alternative: String?

    public init(name: String, label: String, kind: Kind, required: Bool = true, help: String,
                placeholder: String? = nil, secret: Bool? = nil, alternative: String? = nil) {
        self.name = name
        self.label = label
        self.kind = kind
        self.required = required
        self.help = help
        self.placeholder = placeholder
        self.secret = secret ?? (kind == .secret || kind == .file)
        self.alternative = alternative
    }
}

/// Mutually exclusive ways to authenticate (a Microsoft client secret, or a certificate).
public struct CredentialChoice: Sendable, Equatable {
    public struct Option: Sendable, Equatable {
        public var value: String
        public var label: String
        public init(value: String, label: String) {
            self.value = value
            self.label = label
        }
    }

    /// Not a credential member: it only tells the form which fields to show.
    public var name: String
    public var label: String
    public var help: String
    /// The first option is the default.
    public var options: [Option]

    public init(name: String, label: String, help: String, options: [Option]) {
        self.name = name
        self.label = label
        self.help = help
        self.options = options
    }
}

/// A platform's credentials: what to ask for, and the rules they must meet.
public struct CredentialForm: Sendable {
    public var choice: CredentialChoice?
    public var fields: [CredentialField]
    /// Checks the credential members, adding what is wrong to the check.
    public var rules: @Sendable (inout CredentialCheck) -> Void

    public init(choice: CredentialChoice? = nil, fields: [CredentialField],
                rules: @escaping @Sendable (inout CredentialCheck) -> Void) {
        self.choice = choice
        self.fields = fields
        self.rules = rules
    }
}

public import JSONBytes
public import UTCTime

/// What is wrong with one credential member: its path (`api_credentials_json.region`) and why.
/// Messages name the field and never repeat its value.
public struct CredentialProblem: Error, Sendable, Equatable {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// The key parsers of the poller, handed in so the API accepts exactly what the poller can
/// use, while the catalog stays free of X.509 and RSA code.
public struct KeyReaders: Sendable {
    /// Reads a certificate and its private key together: the certificate's end, or the
    /// member at fault (`certificate_pem` or `private_key_pem`) and why.
    public var certificate: @Sendable (_ certificatePEM: String, _ privateKeyPEM: String)
        -> Result<UTCTimestamp, CredentialProblem>
    /// Whether a PEM text is an RSA private key the poller can sign with.
    public var isRSAPrivateKey: @Sendable (String) -> Bool

    public init(certificate: @escaping @Sendable (String, String) -> Result<UTCTimestamp, CredentialProblem>,
                isRSAPrivateKey: @escaping @Sendable (String) -> Bool) {
        self.certificate = certificate
        self.isRSAPrivateKey = isRSAPrivateKey
    }
}

/// The credentials of one source under check: typed access to their members and the
/// problems found so far. A platform's rules fill it in.
public struct CredentialCheck {
    public static let prefix = "api_credentials_json"

    public let members: [(key: String, value: JSONValue)]
    public let readers: KeyReaders
    public let now: UTCTimestamp
    public private(set) var problems: [CredentialProblem] = []
    /// When the credentials stop working on their own, if they say (a certificate's end).
    public var expiresAt: UTCTimestamp?

    public init(members: [(key: String, value: JSONValue)], readers: KeyReaders, now: UTCTimestamp) {
        self.members = members
        self.readers = readers
        self.now = now
    }

    public func has(_ name: String) -> Bool { members.contains { $0.key == name } }

    public func text(_ name: String) -> String? { members.first { $0.key == name }?.value.stringValue }

    /// A problem with the credentials as a whole (`member` nil) or with one member.
    public mutating func add(_ member: String?, _ message: String) {
        problems.append(CredentialProblem(field: member.map { "\(Self.prefix).\($0)" } ?? Self.prefix, message: message))
    }

    /// Members not in `names` are refused (a typo must not pass as an ignored extra).
    public mutating func allow(_ names: Set<String>) {
        for member in members where !names.contains(member.key) {
            add(member.key, "is not a known field for this platform")
        }
    }

    public mutating func requireText(_ name: String, _ isValid: (String) -> Bool, explain: String) {
        guard let member = members.first(where: { $0.key == name }) else {
            add(name, "is required")
            return
        }
        guard let text = member.value.stringValue else {
            add(name, "must be a string")
            return
        }
        if !isValid(text) { add(name, explain) }
    }
}

extension CredentialForm {
    /// Checks `credentials` (the parsed `api_credentials_json`) against the platform's rules.
    public func check(_ credentials: JSONValue, readers: KeyReaders,
                      now: UTCTimestamp = .now()) -> (problems: [CredentialProblem], expiresAt: UTCTimestamp?) {
        guard case .object(let members) = credentials else {
            return ([CredentialProblem(field: CredentialCheck.prefix, message: "must be a JSON object (or a string holding one)")], nil)
        }
        var check = CredentialCheck(members: members, readers: readers, now: now)
        rules(&check)
        return (check.problems, check.expiresAt)
    }
}

// STUB — to be implemented by the Secrets work. Signatures are the contract.

/// What a sealed credential is bound to: ciphertext moved to another row fails to open.
public struct CredentialBinding: Sendable, Hashable {
    public var tenantID: String
    public var sourceID: String
    public init(tenantID: String, sourceID: String) { self.tenantID = tenantID; self.sourceID = sourceID }
}

/// The master keys: one current key that seals, older ones that still open.
public struct MasterKeyRing: Sendable {
    public let currentKeyID: String
    /// Loads from `SIEM_MASTER_KEY` (the key file's text inline) or else `SIEM_MASTER_KEY_FILE`.
    public static func fromEnvironment(_ environment: [String: String]) throws(SecretsError) -> MasterKeyRing { fatalError("stub") }
    /// Parses the key file format (see `generateKeyFile`).
    public static func parse(_ text: String) throws(SecretsError) -> MasterKeyRing { fatalError("stub") }
    /// A new key file's text with one fresh random 256-bit key.
    public static func generateKeyFile() -> String { fatalError("stub") }
}

/// AES-256-GCM envelope for source credentials.
public struct CredentialCipher: Sendable {
    public init(keyRing: MasterKeyRing) { fatalError("stub") }
    public func seal(_ plaintext: [UInt8], for binding: CredentialBinding) throws(SecretsError) -> [UInt8] { fatalError("stub") }
    public func open(_ sealed: [UInt8], for binding: CredentialBinding) throws(SecretsError) -> [UInt8] { fatalError("stub") }
    /// Key id that sealed this envelope (for rotation reports), nil when unreadable.
    public static func keyID(of sealed: [UInt8]) -> String? { fatalError("stub") }
    /// Non-reversible fingerprint to show that credentials are set / changed.
    public func fingerprint(of plaintext: [UInt8], for binding: CredentialBinding) -> String { fatalError("stub") }
}

public struct SecretsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

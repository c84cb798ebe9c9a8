import Crypto
import Foundation

/// AES-256-GCM envelope for source credentials (stored in PostgreSQL as `bytea`).
///
/// Envelope format, version 1 (all lengths in bytes):
///
///     offset 0        1            2 … 2+L-1    next 12    next N        last 16
///            version  key-id len L  key id       nonce      ciphertext    GCM tag
///            0x01     1…64          UTF-8        random     N = plaintext length
///
/// The associated data (authenticated, not stored) is
/// `"siem-collector/credential" 0x00 ‖ version ‖ L ‖ key id ‖ binding`, where the binding is the
/// tenant id and source id, each prefixed with its UInt32 big-endian length. So an envelope only
/// opens for the row it was sealed for, under the key id it names, in the format it claims.
public struct CredentialCipher: Sendable {
    /// The envelope format this type writes.
    public static let currentVersion: UInt8 = 1
    static let nonceSize = 12
    static let tagSize = 16
    private static let associatedDataPrefix = Array("siem-collector/credential".utf8) + [0]

    /// The keys this cipher seals and opens with.
    public let keyRing: MasterKeyRing
    private let fingerprintKey: SymmetricKey

    /// A cipher over `keyRing`: seals with its current key, opens with any of its keys.
    public init(keyRing: MasterKeyRing) {
        self.keyRing = keyRing
        // A separate key, so fingerprints reveal nothing about what the master key encrypts.
        self.fingerprintKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: keyRing.currentKey,
            info: Array("credential-fingerprint".utf8),
            outputByteCount: 32
        )
    }

    /// Encrypts `plaintext` for `binding` with the current key and a fresh random nonce.
    public func seal(_ plaintext: [UInt8], for binding: CredentialBinding) throws(SecretsError) -> [UInt8] {
        let keyID = Array(keyRing.currentKeyID.utf8)
        var envelope: [UInt8] = [Self.currentVersion, UInt8(keyID.count)] + keyID
        let associatedData = Self.associatedData(header: envelope, binding: binding)
        do {
            let box = try AES.GCM.seal(
                plaintext, using: keyRing.currentKey, nonce: AES.GCM.Nonce(), authenticating: associatedData)
            envelope.append(contentsOf: box.nonce)
            envelope.append(contentsOf: box.ciphertext)
            envelope.append(contentsOf: box.tag)
        } catch {
            throw SecretsError(code: .encryptionFailed, "credentials could not be encrypted")
        }
        return envelope
    }

    /// Decrypts an envelope sealed for `binding` with any key of the ring.
    public func open(_ sealed: [UInt8], for binding: CredentialBinding) throws(SecretsError) -> [UInt8] {
        let envelope = try Envelope(parsing: sealed)
        guard let key = keyRing.key(for: envelope.keyID) else {
            throw SecretsError(
                code: .unknownKey,
                "credentials were sealed with key '\(envelope.keyID)' which is not in the key ring")
        }
        let associatedData = Self.associatedData(header: Array(sealed[..<envelope.headerEnd]), binding: binding)
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: envelope.nonce), ciphertext: envelope.ciphertext, tag: envelope.tag)
            return Array(try AES.GCM.open(box, using: key, authenticating: associatedData))
        } catch {
            throw SecretsError(code: .decryptionFailed, "credentials could not be decrypted (wrong key or moved ciphertext)")
        }
    }

    /// Key id that sealed this envelope (for rotation reports), nil when unreadable.
    public static func keyID(of sealed: [UInt8]) -> String? {
        try? Envelope(parsing: sealed).keyID
    }

    /// Whether `sealed` was sealed by a key other than the current one (or is unreadable).
    public func needsRotation(_ sealed: [UInt8]) -> Bool {
        Self.keyID(of: sealed) != keyRing.currentKeyID
    }

    /// The envelope re-sealed with the current key (for `siem-ctl rotate-key`); returned unchanged
    /// when the current key already sealed it. Fails like `open` when it cannot be opened.
    public func rewrap(_ sealed: [UInt8], for binding: CredentialBinding) throws(SecretsError) -> [UInt8] {
        let plaintext = try open(sealed, for: binding)
        guard needsRotation(sealed) else { return sealed }
        return try seal(plaintext, for: binding)
    }

    /// Non-reversible fingerprint to show that credentials are set / changed: `sha256:` and 16 hex
    /// digits of HMAC-SHA256(binding ‖ plaintext) under a key derived (HKDF) from the current master key.
    /// It changes when the current master key changes.
    public func fingerprint(of plaintext: [UInt8], for binding: CredentialBinding) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: binding.encoded + plaintext, using: fingerprintKey)
        let hex = code.prefix(8).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        return "sha256:" + hex
    }

    private static func associatedData(header: [UInt8], binding: CredentialBinding) -> [UInt8] {
        associatedDataPrefix + header + binding.encoded
    }
}

/// A parsed version-1 envelope (slices into the sealed bytes).
private struct Envelope {
    var keyID: String
    var headerEnd: Int
    var nonce: ArraySlice<UInt8>
    var ciphertext: ArraySlice<UInt8>
    var tag: ArraySlice<UInt8>

    init(parsing sealed: [UInt8]) throws(SecretsError) {
        guard let version = sealed.first else {
            throw SecretsError(code: .malformedEnvelope, "credential envelope is empty")
        }
        guard version == CredentialCipher.currentVersion else {
            throw SecretsError(code: .malformedEnvelope, "unsupported credential envelope version \(version)")
        }
        guard sealed.count >= 2 else { throw Self.truncated }
        let idLength = Int(sealed[1])
        headerEnd = 2 + idLength
        guard idLength > 0, sealed.count >= headerEnd + CredentialCipher.nonceSize + CredentialCipher.tagSize else {
            throw Self.truncated
        }
        let idBytes = sealed[2..<headerEnd]
        guard let id = String(validating: idBytes, as: UTF8.self), MasterKeyRing.isValidKeyID(id) else {
            throw SecretsError(code: .malformedEnvelope, "credential envelope has an invalid key id")
        }
        keyID = id
        let nonceEnd = headerEnd + CredentialCipher.nonceSize
        let tagStart = sealed.count - CredentialCipher.tagSize
        nonce = sealed[headerEnd..<nonceEnd]
        ciphertext = sealed[nonceEnd..<tagStart]
        tag = sealed[tagStart...]
    }

    private static let truncated = SecretsError(code: .malformedEnvelope, "credential envelope is truncated")
}

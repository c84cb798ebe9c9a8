/// Why a key ring could not be loaded or a credential envelope not sealed or opened.
///
/// Messages name environment variables, file paths, line numbers and key ids, never key bytes
/// or plaintext, so they may be logged and shown to an operator.
public struct SecretsError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, for callers that branch on it (e.g. a rotation report).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unspecified, missingConfiguration, invalidKeyRing, unknownKey, decryptionFailed,
                malformedEnvelope, encryptionFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Made with `SecretsError(_:)`, without a code.
        public static let unspecified = Code(.unspecified)
        /// Neither `SIEM_MASTER_KEY` nor `SIEM_MASTER_KEY_FILE` gives a key ring, or the file is unreadable.
        public static let missingConfiguration = Code(.missingConfiguration)
        /// The key ring text is not in the documented format.
        public static let invalidKeyRing = Code(.invalidKeyRing)
        /// The envelope names a key id the ring does not have.
        public static let unknownKey = Code(.unknownKey)
        /// Authentication failed: wrong key, tampered bytes, or ciphertext moved to another row.
        public static let decryptionFailed = Code(.decryptionFailed)
        /// The bytes are not a credential envelope this version can read.
        public static let malformedEnvelope = Code(.malformedEnvelope)
        /// AES-GCM refused to seal (should not happen with a valid ring).
        public static let encryptionFailed = Code(.encryptionFailed)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// The failure kind.
    public var code: Code
    /// A human-readable reason without secret material.
    public var message: String

    /// An error without a specific code (kept for callers of the original API).
    public init(_ message: String) {
        self.init(code: .unspecified, message)
    }

    /// An error with a code.
    public init(code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Why a token was refused. `reason` is safe to show the caller (never echoes the token).
public struct AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short, fixed reason such as "token expired".
    public var reason: String

    /// An error with a reason; never put token text or secrets in it.
    public init(_ reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}

extension AuthError {
    /// Not three base64url parts of JSON, wrong claim types, or too long.
    public static let malformedToken = AuthError("malformed token")
    /// `alg` is `none`, unknown, or not enabled by the configuration.
    public static let unsupportedAlgorithm = AuthError("unsupported algorithm")
    /// The `kid` names no configured key.
    public static let unknownKeyID = AuthError("unknown key id")
    /// The `kid` names a key of another algorithm than the header's `alg`.
    public static let algorithmMismatch = AuthError("algorithm does not match key")
    /// No `kid`, and more than one key of the header's algorithm.
    public static let ambiguousKey = AuthError("token has no key id")
    /// The header carries a `crit` extension this verifier does not understand.
    public static let unsupportedCriticalHeader = AuthError("unsupported critical header")
    /// The signature does not verify.
    public static let invalidSignature = AuthError("invalid signature")
    /// No `exp` claim: every token must expire.
    public static let missingExpiry = AuthError("token has no expiry")
    /// `exp` is past (beyond the leeway).
    public static let expired = AuthError("token expired")
    /// `nbf` is in the future (beyond the leeway).
    public static let notYetValid = AuthError("token not yet valid")
    /// `iss` differs from the configured issuer.
    public static let invalidIssuer = AuthError("invalid issuer")
    /// `aud` does not include the configured audience.
    public static let invalidAudience = AuthError("invalid audience")
}

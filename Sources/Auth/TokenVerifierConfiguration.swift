/// What tokens `TokenVerifier` accepts. Secrets stay out of `description`.
public struct TokenVerifierConfiguration: Sendable, CustomStringConvertible {
    /// HS256 secret (SIEM_JWT_SECRET), at least 32 bytes; nil disables HS256.
    public var hmacSecret: [UInt8]?
    /// JWKS document text with RS256/ES256 public keys (SIEM_JWKS_FILE); nil disables them.
    public var jwksJSON: String?
    /// Required `iss`, when set.
    public var issuer: String?
    /// Required member of `aud` (a string or an array), when set.
    public var audience: String?
    /// Clock skew tolerated on `exp` and `nbf`, in seconds (default 30).
    public var leewaySeconds: Int

    /// Creates a configuration; at least one of `hmacSecret` and `jwksJSON` must be set.
    public init(
        hmacSecret: [UInt8]? = nil,
        jwksJSON: String? = nil,
        issuer: String? = nil,
        audience: String? = nil,
        leewaySeconds: Int = 30
    ) {
        self.hmacSecret = hmacSecret
        self.jwksJSON = jwksJSON
        self.issuer = issuer
        self.audience = audience
        self.leewaySeconds = leewaySeconds
    }

    /// Shows which algorithms are enabled, never the secret.
    public var description: String {
        "TokenVerifierConfiguration(hs256: \(hmacSecret == nil ? "off" : "on"), jwks: \(jwksJSON == nil ? "off" : "on"), "
            + "issuer: \(issuer ?? "any"), audience: \(audience ?? "any"), leewaySeconds: \(leewaySeconds))"
    }
}

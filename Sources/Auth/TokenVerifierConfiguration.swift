/// What tokens `TokenVerifier` accepts. Secrets stay out of `description`.
public struct TokenVerifierConfiguration: Sendable, CustomStringConvertible {
    /// HS256 secret (SIEM_JWT_SECRET), at least 32 bytes; nil disables HS256.
    public var hmacSecret: [UInt8]?
    /// JWKS document text with RS256/ES256 public keys; nil disables them unless `jwksPath` is set.
    public var jwksJSON: String?
    /// A JWKS file (SIEM_JWKS_FILE), read at start and re-read when it changes (IdP key rollover).
    public var jwksPath: String?
    /// How often, at most, the JWKS file is checked for a change, in seconds (default 5).
    public var jwksCheckInterval: Double = 5
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
        jwksPath: String? = nil,
        issuer: String? = nil,
        audience: String? = nil,
        leewaySeconds: Int = 30
    ) {
        self.hmacSecret = hmacSecret
        self.jwksJSON = jwksJSON
        self.jwksPath = jwksPath
        self.issuer = issuer
        self.audience = audience
        self.leewaySeconds = leewaySeconds
    }

    /// Shows which algorithms are enabled, never the secret.
    public var description: String {
        "TokenVerifierConfiguration(hs256: \(hmacSecret == nil ? "off" : "on"), jwks: \(jwksJSON == nil && jwksPath == nil ? "off" : "on"), "
            + "issuer: \(issuer ?? "any"), audience: \(audience ?? "any"), leewaySeconds: \(leewaySeconds))"
    }
}

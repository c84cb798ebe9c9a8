// STUB — to be implemented by the Auth work. Signatures are the contract.
import Foundation

/// Who called: the verified claims of a bearer token.
public struct Identity: Sendable, Equatable {
    public var subject: String?
    public var tenantID: String?
    public var roles: Set<String>
    public var expiresAt: Date
    public init(subject: String?, tenantID: String?, roles: Set<String>, expiresAt: Date) {
        self.subject = subject; self.tenantID = tenantID; self.roles = roles; self.expiresAt = expiresAt
    }
    public func hasRole(_ role: String) -> Bool { roles.contains(role) }
}

public struct TokenVerifierConfiguration: Sendable {
    /// HS256 secret (SIEM_JWT_SECRET); nil disables HS256.
    public var hmacSecret: [UInt8]?
    /// JWKS document text with RS256/ES256 public keys (SIEM_JWKS_FILE); nil disables them.
    public var jwksJSON: String?
    public var issuer: String?
    public var audience: String?
    public var leewaySeconds: Int
    public init(hmacSecret: [UInt8]? = nil, jwksJSON: String? = nil, issuer: String? = nil, audience: String? = nil, leewaySeconds: Int = 30) {
        self.hmacSecret = hmacSecret; self.jwksJSON = jwksJSON; self.issuer = issuer; self.audience = audience; self.leewaySeconds = leewaySeconds
    }
}

/// Verifies bearer JWTs synchronously (called from FastCGI worker threads). Thread-safe.
public final class TokenVerifier: Sendable {
    public init(configuration: TokenVerifierConfiguration) throws(AuthError) { fatalError("stub") }
    public func verify(_ token: String, now: Date = Date()) throws(AuthError) -> Identity { fatalError("stub") }
}

/// Mints HS256 tokens (siem-ctl token, tests, the demo).
public enum TokenMinter {
    public static func hs256(secret: [UInt8], subject: String, tenantID: String?, roles: [String], ttlSeconds: Int, issuer: String? = nil, audience: String? = nil, now: Date = Date()) throws(AuthError) -> String { fatalError("stub") }
}

/// Why a token was refused. `reason` is safe to show the caller (never echoes the token).
public struct AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

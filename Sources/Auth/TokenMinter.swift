import Foundation
import JWTKit

/// Mints HS256 tokens (siem-ctl token, tests, the demo).
public enum TokenMinter {
    /// A token with `sub`, `tenant_id` (omitted when nil), `roles`, `iat`, `nbf` (both `now`),
    /// `exp` (`now + ttlSeconds`), `iss`/`aud` when given, and `siem_all_tenants: true` when a
    /// role acts across tenants (`poller`, `metrics`), signed by jwt-kit with `secret`
    /// (at least 32 bytes). Times are whole seconds.
    public static func hs256(
        secret: [UInt8],
        subject: String,
        tenantID: String?,
        roles: [String],
        ttlSeconds: Int,
        issuer: String? = nil,
        audience: String? = nil,
        now: Date = Date()
    ) throws(AuthError) -> String {
        guard secret.count >= 32 else { throw AuthError("HS256 secret must be at least 32 bytes") }
        guard ttlSeconds > 0 else { throw AuthError("token lifetime must be positive") }
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = TokenClaims(
            sub: SubjectClaim(value: subject),
            tenant_id: tenantID,
            roles: roles,
            scope: nil,
            iat: IssuedAtClaim(value: issuedAt),
            nbf: NotBeforeClaim(value: issuedAt),
            exp: ExpirationClaim(value: issuedAt.addingTimeInterval(TimeInterval(ttlSeconds))),
            iss: issuer.map { IssuerClaim(value: $0) },
            aud: audience.map { AudienceClaim(value: [$0]) },
            siem_all_tenants: roles.contains(where: Role.allTenants.contains) ? true : nil
        )
        do {
            return try SyncBridge.run {
                let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
                return try await keys.sign(claims, header: ["typ": "JWT"])
            }
        } catch {
            throw AuthError("token could not be signed")
        }
    }
}

import Foundation
import JWTKit

/// The claims this project reads and writes. Time claims are checked by `TokenVerifier` against the
/// caller's clock (`now:`), so `verify(using:)` does nothing.
struct TokenClaims: JWTPayload {
    var sub: SubjectClaim?
    var tenant_id: String?
    var roles: [String]?
    /// RFC 9068 `scope`: space-separated; read only when `roles` is absent.
    var scope: String?
    var iat: IssuedAtClaim?
    var nbf: NotBeforeClaim?
    var exp: ExpirationClaim?
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    /// Must be `true` for the cross-tenant roles (`poller`, `metrics`) to count: an IdP
    /// shared with other applications issues it only where an administrator mapped it on purpose.
    var siem_all_tenants: Bool?

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Roles from `roles`, else from `scope`: IdPs such as Entra ID send `roles`, OAuth servers
    /// following RFC 9068 send `scope`. Never both merged, so `scope` cannot widen `roles`.
    var grantedRoles: Set<String> {
        var granted = roles.map(Set.init) ?? Set((scope ?? "").split(separator: " ").map(String.init))
        if siem_all_tenants != true { granted.subtract(Role.allTenants) }
        return granted
    }
}

import Foundation

/// Who called: the verified claims of a bearer token.
public struct Identity: Sendable, Equatable {
    /// The `sub` claim (a user or service name), when present.
    public var subject: String?
    /// The `tenant_id` claim; nil for callers that are not tenant-scoped (e.g. the poller).
    public var tenantID: String?
    /// The roles granted: `roles`, or the space-separated `scope` when there is no `roles` claim.
    public var roles: Set<String>
    /// The `exp` claim.
    public var expiresAt: Date

    /// Creates an identity (tests, and the verifier).
    public init(subject: String?, tenantID: String?, roles: Set<String>, expiresAt: Date) {
        self.subject = subject
        self.tenantID = tenantID
        self.roles = roles
        self.expiresAt = expiresAt
    }

    /// Whether the identity was granted `role`.
    public func hasRole(_ role: String) -> Bool { roles.contains(role) }
}

/// The roles this project grants.
public enum Role {
    /// Manages the sources of its tenant.
    public static let admin = "admin"
    /// Reads its tenant's sources and status.
    public static let viewer = "viewer"
    /// Calls the internal endpoints; not tenant-scoped.
    public static let poller = "poller"
    /// Reads `/metrics` of every tenant (a Prometheus scraper); nothing else.
    public static let metrics = "metrics"
    /// Roles that act across tenants: granted only with the claim `"siem_all_tenants": true`.
    public static let allTenants: Set<String> = [poller, metrics]
    /// The claim that must accompany a cross-tenant role.
    public static let allTenantsClaim = "siem_all_tenants"
}

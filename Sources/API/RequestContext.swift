public import HTTPRouting
public import Auth
public import Logging

/// Per-request state handed to every handler: the request, its route
/// parameters, the verified caller and a logger carrying the request id.
public struct RequestContext {
    public var request: Request
    public var parameters: RouteParameters
    public var identity: Identity?
    public var logger: Logger

    /// The caller, who must hold `role` (admins may do everything viewers may).
    public func require(role: String) throws(HTTPError) -> Identity {
        guard let identity else { throw HTTPError.unauthorized("a bearer token is required") }
        let allowed = identity.hasRole(role) || (role == Role.viewer && identity.hasRole(Role.admin))
        guard allowed else { throw HTTPError.forbidden("this operation needs the '\(role)' role") }
        return identity
    }

    /// The caller's tenant, for tenant-scoped operations.
    public func tenant(role: String) throws(HTTPError) -> String {
        let identity = try require(role: role)
        guard let tenant = identity.tenantID, !tenant.isEmpty else {
            throw HTTPError.forbidden("the token carries no tenant_id claim")
        }
        return tenant
    }
}

import Foundation
import Testing
import Auth
import HTTPRouting
import Logging
@testable import API

@Suite struct RequestContextTests {
    private func context(roles: Set<String>?, tenant: String? = "t-1") -> RequestContext {
        let identity = roles.map { Identity(subject: "alice", tenantID: tenant, roles: $0, expiresAt: Date(timeIntervalSinceNow: 600)) }
        return RequestContext(request: Request(method: "GET", path: "/"), parameters: RouteParameters(),
                              identity: identity, logger: Logger(label: "test"))
    }

    @Test(arguments: [
        // (granted, required, status: nil when allowed)
        (["admin"], Role.admin, nil),
        (["admin"], Role.viewer, nil),  // admin implies viewer
        (["admin"], Role.poller, 403),
        (["viewer"], Role.viewer, nil),
        (["viewer"], Role.admin, 403),
        (["viewer"], Role.poller, 403),
        (["poller"], Role.poller, nil),
        (["poller"], Role.viewer, 403),  // the poller is not a tenant user
        (["poller"], Role.admin, 403),
        ([], Role.viewer, 403),
        (["Admin"], Role.admin, 403),  // roles are exact strings
    ] as [([String], String, Int?)])
    func requireRole(granted: [String], required: String, status: Int?) {
        do {
            let identity = try context(roles: Set(granted)).require(role: required)
            #expect(status == nil)
            #expect(identity.roles == Set(granted))
        } catch {
            #expect(error.status == status)
            #expect(error.detail?.contains("'\(required)'") == true)
        }
    }

    @Test func noIdentityIsUnauthorized() {
        do {
            _ = try context(roles: nil).require(role: Role.viewer)
            Issue.record("allowed without a token")
        } catch {
            #expect(error.status == 401)
            #expect(error.response(requestID: "r").header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
    }

    @Test func tenantComesFromTheToken() throws {
        #expect(try context(roles: ["viewer"], tenant: "contoso").tenant(role: Role.viewer) == "contoso")
    }

    @Test(arguments: [String?.none, ""])
    func tenantScopedCallsNeedATenant(tenant: String?) {
        do {
            _ = try context(roles: ["admin"], tenant: tenant).tenant(role: Role.viewer)
            Issue.record("allowed without a tenant")
        } catch {
            #expect(error.status == 403)
        }
    }

    @Test func apiRolesMatchTheTokenRoles() {
        #expect([Role.admin, Role.viewer, Role.poller] == [Role.admin, Role.viewer, Role.poller])
    }
}

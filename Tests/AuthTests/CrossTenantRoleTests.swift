import Auth
import Foundation
import Testing

/// The cross-tenant roles count only with the explicit claim (security issue #10, item 2).
@Suite struct CrossTenantRoleTests {
    let verifier = try! TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret))
    let now = TestTokens.now

    @Test(arguments: ["poller", "metrics"])
    func aCrossTenantRoleWithoutTheClaimIsNotGranted(role: String) throws {
        let bare = TestTokens.handMade(payload: TestTokens.claims(["roles": [role, "viewer"]]))
        #expect(try verifier.verify(bare, now: now).roles == ["viewer"])
        let scoped = TestTokens.handMade(payload: TestTokens.claims(["scope": "\(role) viewer"], removing: ["roles"]))
        #expect(try verifier.verify(scoped, now: now).roles == ["viewer"])
        let notTrue = TestTokens.handMade(payload: TestTokens.claims(["roles": [role], "siem_all_tenants": "true"]))
        #expect(throws: AuthError.self) { try verifier.verify(notTrue, now: now) }
    }

    @Test(arguments: ["poller", "metrics"])
    func theClaimGrantsIt(role: String) throws {
        let token = TestTokens.handMade(payload: TestTokens.claims(["roles": [role], "siem_all_tenants": true]))
        #expect(try verifier.verify(token, now: now).roles == [role])
    }

    @Test func theMinterAddsTheClaimOnlyForCrossTenantRoles() throws {
        let poller = try TokenMinter.hs256(secret: TestTokens.secret, subject: "p", tenantID: nil, roles: [Role.poller],
                                           ttlSeconds: 60, now: now)
        #expect(TestTokens.payload(of: poller)[Role.allTenantsClaim] as? Bool == true)
        let admin = try TokenMinter.hs256(secret: TestTokens.secret, subject: "a", tenantID: "t", roles: [Role.admin],
                                          ttlSeconds: 60, now: now)
        #expect(TestTokens.payload(of: admin)[Role.allTenantsClaim] == nil)
    }
}

/// An IdP key rollover takes effect without a restart.
@Suite struct JWKSReloadTests {
    let now = TestTokens.now

    func write(_ text: String, to path: String) throws {
        // As config managers do: a new file renamed over the old one.
        let staged = path + ".new"
        try text.write(toFile: staged, atomically: false, encoding: .utf8)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: staged, toPath: path)
    }

    @Test func aRolledOverKeySetReplacesTheOldOneAndEmptiesTheCache() async throws {
        let old = TestTokens.RSAKey(), new = TestTokens.RSAKey()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jwks-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(TestTokens.jwks(old.jwk(kid: "k1")), to: path)
        var configuration = TokenVerifierConfiguration(jwksPath: path)
        configuration.jwksCheckInterval = 0
        let verifier = try TokenVerifier(configuration: configuration)
        let oldToken = try await old.sign(.init(), kid: "k1")
        let newToken = try await new.sign(.init(), kid: "k2")
        #expect(try verifier.verify(oldToken, now: now).subject == "svc")
        #expect(throws: AuthError.unknownKeyID) { try verifier.verify(newToken, now: now) }

        try write(TestTokens.jwks(new.jwk(kid: "k2")), to: path)
        #expect(try verifier.verify(newToken, now: now).subject == "svc")
        // The withdrawn key stops at once, even for a token verified (and cached) before.
        #expect(throws: AuthError.unknownKeyID) { try verifier.verify(oldToken, now: now) }

        // A botched rollover keeps the keys that work.
        try write("{not json", to: path)
        #expect(try verifier.verify(newToken, now: now).subject == "svc")
    }

    @Test func anUnreadableFileIsRefusedAtStart() {
        #expect(throws: AuthError.self) { try TokenVerifier(configuration: .init(jwksPath: "/nonexistent/jwks.json")) }
    }
}

import Auth
import Foundation
import Testing

@Suite("TokenVerifier, HS256")
struct HS256Tests {
    let now = TestTokens.now
    let verifier = try! TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret))

    func refusal(_ token: String, by verifier: TokenVerifier? = nil, at time: Date? = nil) -> AuthError? {
        let error = #expect(throws: AuthError.self) { try (verifier ?? self.verifier).verify(token, now: time ?? now) }
        if let error { #expect(!error.reason.contains(token), "a reason must never echo the token") }
        return error
    }

    @Test("a minted token verifies into its identity")
    func valid() throws {
        let token = try TokenMinter.hs256(
            secret: TestTokens.secret, subject: "alice", tenantID: "t-1", roles: ["admin", "viewer"],
            ttlSeconds: 900, now: now)
        let identity = try verifier.verify(token, now: now)
        #expect(identity == Identity(
            subject: "alice", tenantID: "t-1", roles: ["admin", "viewer"], expiresAt: now.addingTimeInterval(900)))
        #expect(identity.hasRole("admin") && !identity.hasRole("poller"))
    }

    @Test("a token for a non-tenant caller has no tenant_id")
    func noTenant() throws {
        let token = try TokenMinter.hs256(
            secret: TestTokens.secret, subject: "poller-1", tenantID: nil, roles: [Role.poller], ttlSeconds: 60, now: now)
        #expect(TestTokens.payload(of: token)["tenant_id"] == nil)
        #expect(TestTokens.payload(of: token)["roles"] as? [String] == [Role.poller])
        let identity = try verifier.verify(token, now: now)
        #expect(identity.tenantID == nil && identity.roles == [Role.poller])
    }

    @Test("another secret's signature is refused")
    func wrongSecret() throws {
        let token = try TokenMinter.hs256(
            secret: Array("another-secret-that-is-32-bytes-long".utf8), subject: "x", tenantID: nil, roles: [],
            ttlSeconds: 60, now: now)
        #expect(refusal(token) == .invalidSignature)
        #expect(refusal(TestTokens.handMade(hmacKey: nil, signature: [1, 2, 3])) == .invalidSignature)
        #expect(refusal(TestTokens.handMade(hmacKey: nil, signature: [])) == .invalidSignature)
    }

    @Test("exp is required and checked with the leeway")
    func expiry() throws {
        let token = try TokenMinter.hs256(
            secret: TestTokens.secret, subject: "x", tenantID: nil, roles: [], ttlSeconds: 60, now: now)
        #expect(try verifier.verify(token, now: now.addingTimeInterval(60 + 29)).subject == "x")
        let strict = try TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret, leewaySeconds: 0))
        #expect(refusal(token, by: strict, at: now.addingTimeInterval(60)) == .expired)
        #expect(refusal(token, at: now.addingTimeInterval(60 + 31)) == .expired)
        #expect(refusal(TestTokens.handMade(payload: TestTokens.claims(removing: ["exp"]))) == .missingExpiry)
    }

    @Test("nbf in the future is refused beyond the leeway")
    func notBefore() throws {
        let token = TestTokens.handMade(payload: TestTokens.claims(["nbf": now.timeIntervalSince1970 + 120]))
        #expect(refusal(token) == .notYetValid)
        #expect(try verifier.verify(token, now: now.addingTimeInterval(95)).subject == "alice")
    }

    @Test("alg none and unsupported algorithms are refused", arguments: ["none", "None", "NONE", "HS384", "HS512", "RS384", "PS256", "EdDSA", ""])
    func algorithms(alg: String) {
        let signed = TestTokens.handMade(header: ["alg": alg])
        #expect(refusal(signed) == .unsupportedAlgorithm)
        let unsigned = TestTokens.handMade(header: ["alg": alg], hmacKey: nil)
        #expect(refusal(unsigned) == .unsupportedAlgorithm)
    }

    @Test("RS256 and ES256 tokens are refused when no JWKS is configured")
    func asymmetricWithoutJWKS() async throws {
        let rsa = TestTokens.RSAKey()
        #expect(refusal(try await rsa.sign(.init(), kid: "r1")) == .unsupportedAlgorithm)
        #expect(refusal(try await TestTokens.ECKey().sign(.init(), kid: nil)) == .unsupportedAlgorithm)
    }

    @Test("malformed tokens get a short reason", arguments: [
        "", "abc", "a.b", "a.b.c.d", "..", "!!!.eyJ9.sig", "eyJhbGciOiJIUzI1NiJ9..sig",
        "bm90IGpzb24.eyJzdWIiOiJ4In0.c2ln",  // header is not JSON
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2l*",  // bad signature base64
        "W10.eyJzdWIiOiJ4In0.c2ln",  // header is a JSON array
        "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln",  // no alg
    ])
    func malformed(token: String) {
        #expect(refusal(token) == .malformedToken)
    }

    @Test("an over-long token is refused before parsing")
    func tooLong() {
        let token = TestTokens.handMade(payload: TestTokens.claims(["pad": String(repeating: "x", count: 20_000)]))
        #expect(refusal(token) == .malformedToken)
    }

    @Test("a validly signed payload that is not our claims is malformed")
    func badClaims() {
        for payload: [String: Any] in [
            TestTokens.claims(["roles": "admin"]), TestTokens.claims(["tenant_id": 7]),
            TestTokens.claims(["exp": "tomorrow"]),
        ] {
            #expect(refusal(TestTokens.handMade(payload: payload)) == .malformedToken)
        }
        let notJSON = TestTokens.base64URL(TestTokens.json(["alg": "HS256"])) + "." + TestTokens.base64URL(Array("nope".utf8))
        #expect(refusal(TestTokens.signed(notJSON)) == .malformedToken)
    }

    @Test("a crit header is refused")
    func critical() {
        #expect(refusal(TestTokens.handMade(header: ["alg": "HS256", "crit": ["exp"]])) == .unsupportedCriticalHeader)
    }

    @Test("roles come from 'roles', else from the space-separated 'scope'")
    func scopeFallback() throws {
        let scoped = TestTokens.handMade(payload: TestTokens.claims(["scope": "viewer  poller", "siem_all_tenants": true], removing: ["roles"]))
        #expect(try verifier.verify(scoped, now: now).roles == ["viewer", "poller"])
        let both = TestTokens.handMade(payload: TestTokens.claims(["scope": "admin poller"]).merging(["roles": ["viewer"]]) { $1 })
        #expect(try verifier.verify(both, now: now).roles == ["viewer"])
        let neither = TestTokens.handMade(payload: TestTokens.claims(removing: ["roles"]))
        #expect(try verifier.verify(neither, now: now).roles == [])
    }

    @Test("a HS256 kid is ignored: the secret is the only HS256 key")
    func kidIgnored() throws {
        #expect(try verifier.verify(TestTokens.handMade(header: ["alg": "HS256", "kid": "whatever"]), now: now).subject == "alice")
    }
}

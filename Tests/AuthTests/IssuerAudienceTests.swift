import Auth
import Foundation
import Testing

@Suite("TokenVerifier, iss and aud")
struct IssuerAudienceTests {
    let now = TestTokens.now

    func verifier(issuer: String? = nil, audience: String? = nil) throws -> TokenVerifier {
        try TokenVerifier(configuration: .init(hmacSecret: TestTokens.secret, issuer: issuer, audience: audience))
    }

    func token(_ extra: [String: Any], removing: [String] = []) -> String {
        TestTokens.handMade(payload: TestTokens.claims(extra, removing: removing))
    }

    @Test("iss must equal the configured issuer")
    func issuer() throws {
        let checked = try verifier(issuer: "https://idp.example")
        #expect(try checked.verify(token(["iss": "https://idp.example"]), now: now).subject == "alice")
        for bad in [token(["iss": "https://evil.example"]), token([:]), token(["iss": "https://idp.example/"])] {
            #expect(throws: AuthError.invalidIssuer) { try checked.verify(bad, now: now) }
        }
        #expect(try verifier().verify(token(["iss": "anyone"]), now: now).subject == "alice")
    }

    @Test("aud may be a string or an array that includes the configured audience")
    func audience() throws {
        let checked = try verifier(audience: "siem-api")
        #expect(try checked.verify(token(["aud": "siem-api"]), now: now).subject == "alice")
        #expect(try checked.verify(token(["aud": ["other", "siem-api"]]), now: now).subject == "alice")
        for bad in [token(["aud": "other"]), token(["aud": ["a", "b"]]), token(["aud": []]), token([:])] {
            #expect(throws: AuthError.invalidAudience) { try checked.verify(bad, now: now) }
        }
        #expect(try verifier().verify(token(["aud": "whoever"]), now: now).subject == "alice")
    }

    @Test("the minter writes iss and aud that the verifier accepts")
    func minted() throws {
        let minted = try TokenMinter.hs256(
            secret: TestTokens.secret, subject: "ctl", tenantID: "t", roles: ["admin"], ttlSeconds: 60,
            issuer: "siem-ctl", audience: "siem-api", now: now)
        #expect(try verifier(issuer: "siem-ctl", audience: "siem-api").verify(minted, now: now).subject == "ctl")
        #expect(throws: AuthError.invalidAudience) { try verifier(audience: "x").verify(minted, now: now) }
    }

    @Test("the minter refuses short secrets and non-positive lifetimes")
    func minterInput() {
        #expect(throws: AuthError.self) {
            try TokenMinter.hs256(secret: Array("short".utf8), subject: "x", tenantID: nil, roles: [], ttlSeconds: 60)
        }
        #expect(throws: AuthError.self) {
            try TokenMinter.hs256(secret: TestTokens.secret, subject: "x", tenantID: nil, roles: [], ttlSeconds: 0)
        }
    }
}

import Auth
import CryptoExtras
import Foundation
import JWTKit
import Testing

@Suite("TokenVerifier, RS256 and ES256 from a JWKS")
struct JWKSTests {
    static let rsa = TestTokens.RSAKey()
    static let otherRSA = TestTokens.RSAKey()
    static let ec = TestTokens.ECKey()
    let now = TestTokens.now

    static let jwks = TestTokens.jwks(rsa.jwk(kid: "rsa-1"), ec.jwk(kid: "ec-1"))

    func verifier(_ jwks: String = Self.jwks, secret: [UInt8]? = nil) throws -> TokenVerifier {
        try TokenVerifier(configuration: .init(hmacSecret: secret, jwksJSON: jwks))
    }

    @Test("RS256 and ES256 tokens verify with the key their kid names")
    func valid() async throws {
        let verifier = try verifier()
        let rsToken = try await Self.rsa.sign(.init(tenant_id: "t-9", roles: ["viewer"]), kid: "rsa-1")
        #expect(try verifier.verify(rsToken, now: now) == Identity(
            subject: "svc", tenantID: "t-9", roles: ["viewer"], expiresAt: now.addingTimeInterval(600)))
        let esToken = try await Self.ec.sign(.init(roles: ["poller"], siem_all_tenants: true), kid: "ec-1")
        #expect(try verifier.verify(esToken, now: now).roles == ["poller"])
    }

    @Test("without a kid, the only key of the token's algorithm is used")
    func noKid() async throws {
        let verifier = try verifier()
        #expect(try verifier.verify(try await Self.rsa.sign(.init(), kid: nil), now: now).subject == "svc")
        #expect(try verifier.verify(try await Self.ec.sign(.init(), kid: nil), now: now).subject == "svc")

        let twoRSA = try self.verifier(TestTokens.jwks(Self.rsa.jwk(kid: "a"), Self.otherRSA.jwk(kid: "b")))
        let unnamedRS = try await Self.rsa.sign(.init(), kid: nil)
        #expect(throws: AuthError.ambiguousKey) { try twoRSA.verify(unnamedRS, now: now) }
        #expect(try twoRSA.verify(try await Self.otherRSA.sign(.init(), kid: "b"), now: now).subject == "svc")
    }

    @Test("an unknown kid is refused, never tried against another key")
    func wrongKid() async throws {
        let verifier = try verifier()
        let unknownKid = try await Self.rsa.sign(.init(), kid: "rsa-2")
        #expect(throws: AuthError.unknownKeyID) { try verifier.verify(unknownKid, now: now) }
    }

    @Test("a key is used only for its own algorithm")
    func algorithmMismatch() async throws {
        let verifier = try verifier()
        // An RS256 header naming the EC key.
        let rsHeaderOnECKey = try await Self.rsa.sign(.init(), kid: "ec-1")
        #expect(throws: AuthError.algorithmMismatch) { try verifier.verify(rsHeaderOnECKey, now: now) }
        // Another RSA key's signature under rsa-1's kid.
        let foreignSignature = try await Self.otherRSA.sign(.init(), kid: "rsa-1")
        #expect(throws: AuthError.invalidSignature) { try verifier.verify(foreignSignature, now: now) }
    }

    @Test("algorithm confusion: HS256 signed with the RSA public key PEM is refused")
    func confusion() async throws {
        let pem = Array(Self.rsa.privateKey.publicKey.pemRepresentation.utf8)
        let derBytes = Array(Self.rsa.privateKey.publicKey.derRepresentation)
        for key in [pem, derBytes] {
            for header: [String: Any] in [["alg": "HS256"], ["alg": "HS256", "kid": "rsa-1"]] {
                let forged = TestTokens.handMade(header: header, hmacKey: key)
                // Only a JWKS configured: HS256 is not accepted at all.
                #expect(throws: AuthError.unsupportedAlgorithm) { try verifier().verify(forged, now: now) }
                // With an HS256 secret too, HS256 uses that secret only.
                #expect(throws: AuthError.invalidSignature) {
                    try verifier(secret: TestTokens.secret).verify(forged, now: now)
                }
            }
        }
        // An RS256 header over an HMAC made with the PEM is just a bad signature.
        let relabeled = TestTokens.handMade(header: ["alg": "RS256", "kid": "rsa-1"], hmacKey: pem)
        #expect(throws: AuthError.invalidSignature) { try verifier().verify(relabeled, now: now) }
    }

    @Test("claims are checked for RS256 too")
    func claims() async throws {
        let expired = try await Self.rsa.sign(.init(exp: .init(value: now.addingTimeInterval(-120))), kid: "rsa-1")
        #expect(throws: AuthError.expired) { try verifier().verify(expired, now: now) }
        let configured = try TokenVerifier(configuration: .init(jwksJSON: Self.jwks, issuer: "idp", audience: "api"))
        let good = try await Self.rsa.sign(.init(iss: "idp", aud: .init(value: ["api"])), kid: "rsa-1")
        #expect(try configured.verify(good, now: now).subject == "svc")
        let wrongAudience = try await Self.rsa.sign(.init(iss: "idp", aud: .init(value: ["other"])), kid: "rsa-1")
        #expect(throws: AuthError.invalidAudience) { try configured.verify(wrongAudience, now: now) }
    }

    @Test("encryption keys, other algorithms and unknown key types in the JWKS are skipped")
    func lenientDocument() async throws {
        let jwks = TestTokens.jwks(
            Self.otherRSA.jwk(kid: "enc", use: "enc"),
            Self.otherRSA.jwk(kid: "rs512", alg: "RS512"),
            ["kty": "oct", "kid": "sym", "k": "c2VjcmV0"],
            Self.rsa.jwk(kid: "rsa-1", alg: nil, use: "sig"))
        let verifier = try verifier(jwks)
        #expect(try verifier.verify(try await Self.rsa.sign(.init(), kid: "rsa-1"), now: now).subject == "svc")
        let encryptionKeyToken = try await Self.otherRSA.sign(.init(), kid: "enc")
        #expect(throws: AuthError.unknownKeyID) { try verifier.verify(encryptionKeyToken, now: now) }
    }

    @Test("configurations that cannot verify anything are refused at init")
    func configuration() {
        let cases: [(TokenVerifierConfiguration, String)] = [
            (.init(), "no token key configured (set an HS256 secret or a JWKS document)"),
            (.init(hmacSecret: Array("short".utf8)), "HS256 secret must be at least 32 bytes"),
            (.init(jwksJSON: "not json"), "invalid JWKS document"),
            (.init(jwksJSON: #"{"keys": []}"#), "JWKS document has no RS256 or ES256 signing key"),
            (.init(jwksJSON: TestTokens.jwks(Self.rsa.jwk(kid: "k", use: "enc"))), "JWKS document has no RS256 or ES256 signing key"),
            (.init(jwksJSON: TestTokens.jwks(["kty": "RSA", "kid": "k", "n": "AQAB", "e": "AQAB"])), "JWKS document has an invalid key"),
        ]
        for (configuration, reason) in cases {
            #expect(throws: AuthError(reason)) { try TokenVerifier(configuration: configuration) }
        }
    }

    @Test("the configuration's description hides the secret")
    func description() {
        let text = "\(TokenVerifierConfiguration(hmacSecret: TestTokens.secret, jwksJSON: Self.jwks))"
        #expect(!text.contains(String(decoding: TestTokens.secret, as: UTF8.self)))
        #expect(text.contains("hs256: on"))
    }
}

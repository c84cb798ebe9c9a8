import Crypto
import CryptoExtras
import Foundation
import SourceModel
import SwiftASN1
import Testing
import X509
import TestSupport
@testable import Providers

/// Certificate credentials for the Microsoft identity platform: the client assertion's
/// header, claims and signature, and which credential shapes the poller accepts.
///
/// `Fixtures/app-cert.pem` is a self-signed certificate for `JWTAssertionSignerTests.pem`,
/// made with `openssl req -x509 -key key.pem -sha256 -days 36500 -subj /CN=siem-collector-test`;
/// `app-key-pkcs1.pem` is that key as `openssl rsa -traditional` writes it; `other-cert.pem`
/// belongs to another key. The expected thumbprints come from `openssl x509 -fingerprint`.
@Suite struct MicrosoftClientCredentialTests {
    /// `openssl x509 -in app-cert.pem -noout -fingerprint -sha1`, as hex and as base64url.
    static let sha1Hex = "DC2E39150B998B010C2664200DBE835A77587ADE"
    static let x5t = "3C45FQuZiwEMJmQgDb6DWndYet4"
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let clientID = "0b5e6b4e-1b51-4e0f-a8b4-1f2d3c4b5a69"
    static let tokenURL = "https://login.microsoftonline.com/\(tenant)/oauth2/v2.0/token"

    static func certificate(key: String = JWTAssertionSignerTests.pem) throws -> ClientCertificate {
        try ClientCertificate(certificatePEM: try Fixture.pem("app-cert"), privateKeyPEM: key)
    }

    static func credentials(_ members: [String: String]) -> String {
        let base = ["tenant_id": tenant, "client_id": clientID].merging(members) { $1 }
        let data = try! JSONSerialization.data(withJSONObject: base, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func thumbprintIsTheBase64URLSHA1OfTheDERCertificate() throws {
        let certificate = try Self.certificate()
        #expect(certificate.sha1Thumbprint == Self.x5t)
        let bytes = try #require(decodeBase64URL(Self.x5t))
        #expect(bytes.map { String(format: "%02X", $0) }.joined() == Self.sha1Hex)
    }

    @Test func assertionHeaderAndClaimsAreTheDocumentedOnes() throws {
        let jwt = try MicrosoftClientCredential.assertion(try Self.certificate(), clientID: Self.clientID,
                                                          tokenURL: Self.tokenURL, now: 1_700_000_000, id: "jti-1")
        let parts = jwt.split(separator: ".")
        #expect(parts.count == 3)
        #expect(try jwtPart(parts[0]) == ["alg": "RS256", "typ": "JWT", "x5t": Self.x5t])
        #expect(try jwtPart(parts[1]) == [
            "aud": Self.tokenURL, "iss": Self.clientID, "sub": Self.clientID, "jti": "jti-1",
            "nbf": 1_700_000_000, "iat": 1_700_000_000, "exp": 1_700_000_600,
        ])
    }

    @Test func signatureVerifiesWithTheCertificatesPublicKey() throws {
        let jwt = try MicrosoftClientCredential.assertion(try Self.certificate(), clientID: Self.clientID,
                                                          tokenURL: Self.tokenURL, now: 1_700_000_000, id: "jti-1")
        let parts = jwt.split(separator: ".")
        let certificate = try Certificate(pemEncoded: try Fixture.pem("app-cert"))
        let publicKey = try #require(_RSA.Signing.PublicKey(certificate.publicKey))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try #require(decodeBase64URL(parts[2])))
        let signed = SHA256.hash(data: Array("\(parts[0]).\(parts[1])".utf8))
        #expect(publicKey.isValidSignature(signature, for: signed, padding: .insecurePKCS1v1_5))
        let tampered = SHA256.hash(data: Array("\(parts[0]).\(parts[1])x".utf8))
        #expect(!publicKey.isValidSignature(signature, for: tampered, padding: .insecurePKCS1v1_5))
    }

    @Test func aPKCS1KeySignsExactlyLikeItsPKCS8Form() throws {
        // RSASSA-PKCS1-v1_5 is deterministic: the same key gives the same token.
        let pkcs1 = try Self.certificate(key: try Fixture.pem("app-key-pkcs1"))
        #expect(try Fixture.pem("app-key-pkcs1").hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        let a = try MicrosoftClientCredential.assertion(pkcs1, clientID: "c", tokenURL: "u", now: 1, id: "j")
        let b = try MicrosoftClientCredential.assertion(try Self.certificate(), clientID: "c", tokenURL: "u", now: 1, id: "j")
        #expect(a == b)
    }

    @Test func eachTokenRequestCarriesAFreshAssertion() throws {
        let credential = MicrosoftClientCredential.certificate(try Self.certificate())
        let first = try credential.formFields(clientID: Self.clientID, tokenURL: Self.tokenURL, now: 1_700_000_000)
        let second = try credential.formFields(clientID: Self.clientID, tokenURL: Self.tokenURL, now: 1_700_000_000)
        #expect(first.map(\.0) == ["client_assertion_type", "client_assertion"])
        #expect(first[0].1 == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        let ids = try [first, second].map { try jwtPart($0[1].1.split(separator: ".")[1])["jti"] as? String }
        #expect(ids[0] != nil && ids[0] != ids[1])
    }

    @Test func aSecretIsSentAsItIs() throws {
        let fields = try MicrosoftClientCredential.secret("s3cr3t").formFields(clientID: "c", tokenURL: "u", now: 1)
        #expect(fields.map(\.0) == ["client_secret"] && fields[0].1 == "s3cr3t")
    }

    @Test func theKeyOfAnotherCertificateIsRefusedWithoutRepeatingIt() throws {
        let other = try Fixture.pem("other-cert")
        do throws(ClientCertificate.Problem) {
            _ = try ClientCertificate(certificatePEM: other, privateKeyPEM: JWTAssertionSignerTests.pem)
            Issue.record("a key was accepted for a certificate of another key")
        } catch {
            #expect(error.field == .privateKey)
            #expect(error.message.contains("not the private key of the certificate"))
            #expect(!error.description.contains("MII"))
        }
    }

    @Test(arguments: [
        ("not a PEM at all", ClientCertificate.Problem.Field.certificate),
        ("-----BEGIN CERTIFICATE-----\nTUlJQyB0ZXN0\n-----END CERTIFICATE-----\n", .certificate),
        (JWTAssertionSignerTests.pem, .certificate),  // a key where the certificate belongs
    ])
    func whatIsNotACertificateIsNamed(text: String, field: ClientCertificate.Problem.Field) {
        do throws(ClientCertificate.Problem) {
            _ = try ClientCertificate(certificatePEM: text, privateKeyPEM: JWTAssertionSignerTests.pem)
            Issue.record("accepted as a certificate")
        } catch {
            #expect(error.field == field)
        }
    }

    @Test func aPastedChainUsesItsFirstCertificate() throws {
        let chain = try Fixture.pem("app-cert") + "\n" + Fixture.pem("other-cert")
        let certificate = try ClientCertificate(certificatePEM: chain, privateKeyPEM: JWTAssertionSignerTests.pem)
        #expect(certificate.sha1Thumbprint == Self.x5t)
    }

    @Test func providersAcceptCertificateCredentials() throws {
        let credentials = Self.credentials(["certificate_pem": try Fixture.pem("app-cert"),
                                            "private_key_pem": try Fixture.pem("app-key-pkcs1")])
        #expect(try Microsoft365Provider(context: context(.microsoft365, credentials: credentials)).streams.count == 2)
        #expect(try AzureADProvider(context: context(.azureAD, credentials: credentials)).streams.count == 2)
        let identity = try MicrosoftIdentity(context: context(.microsoft365, credentials: credentials), cloud: .usGov)
        #expect(identity.tokenURL == "https://login.microsoftonline.us/\(Self.tenant)/oauth2/v2.0/token")
    }

    @Test func unusableCredentialShapesAreRefused() throws {
        let cert = try Fixture.pem("app-cert")
        let cases: [([String: String], ProviderError.Kind)] = [
            (["certificate_pem": cert], .configuration),
            (["client_secret": "s", "certificate_pem": cert, "private_key_pem": JWTAssertionSignerTests.pem], .configuration),
            ([:], .configuration),
            (["certificate_pem": try Fixture.pem("other-cert"), "private_key_pem": JWTAssertionSignerTests.pem], .badCredentials),
        ]
        for (members, kind) in cases {
            do {
                _ = try MicrosoftClientCredential(context: context(.microsoft365, credentials: Self.credentials(members)))
                Issue.record("accepted \(members.keys.sorted())")
            } catch let error as ProviderError {
                #expect(error.kind == kind)
                #expect(!error.message.contains("PRIVATE KEY") && !error.message.contains("MII"))
            }
        }
    }
}

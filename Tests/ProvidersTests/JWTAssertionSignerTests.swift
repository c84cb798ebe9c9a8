import Foundation
import Testing
@testable import Providers

/// The RS256 signer against a vector made independently with Python's
/// `cryptography` (RSASSA-PKCS1-v1_5 is deterministic, so the JWT must match byte
/// for byte), and the Google assertion's claims.
@Suite struct JWTAssertionSignerTests {
    /// A throwaway 2048-bit key made for this test only.
    static let pem = """
-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCuequ83LPXz5mD
uTMokZvra5jmH9WvA7b8QfOyVZxCEMiNV/6+UShhoVGMclOEmtr32M7wv+cLfECr
d5SrCHijeBZgYjvqjOvUv56x+Vy+JWbbzHkui11VbUI77kRl1e6Tb4MGkEmwCKF5
TP5uIpRcpY2/PVkKDwvDoFdAdgU/bjPzRN9ed5h30bm7TZN2fqDEOnawViW7DnWg
Z23BczZSZ9GOqgS4RxZSbZF7j85PQS+1oLD97SmKcNOFw+oGjqoMhX0Jh4ezedIQ
QDinYZiumgtSiBdihDxmRLyeQH8wsYS0xhgy8ZrkiNGLH+m8cAHyc6bMubWlqVLo
ZwFyma2vAgMBAAECggEAA80MIO0L6+3yJOXFdAl/N8JpAWZjJAQ1ADGg0SgLsExb
Gh0qVKB1YtixUczYMSGjsIkkGCf0eavgx5UVnSFuA12ldL8STODgbr30tpRwmhUI
tLQZ71Lw5+BqWqtG1fl/NrrT3cvWsLa90cpegC0eEn1p/s1wbm3EFPE3ki6gAz3M
1+ClmQCAhOEy7UQQHM2+cDr23hcp7ZUEdfmbHsnk1hmj5Wqpn98MKPHfGJTIDqiF
49muIov+vYnk7Dnk8NO+ZHEvM/x6vnVTb2g4sNIcKc9a2Zo/J+U9DbyulQ76lK51
j3TXCj9jV0+UHj38/PC7Kag+hI3KVitIIQfHsrRsYQKBgQDZWYnUlfsZqm1/q0O5
Zl0qnSLATgd45oMlHfn+9RanN4NROtukWD89smILi472Mf/9Vb65QMFUazPxDzvM
fMfHEaE9RvBNuPpywiOMkbQ1CPuktcPIEDbcDOxEtgf6zD/DloucWVD33v59ymQl
xvsQHJPz1nCOZlZdLQqcosOUoQKBgQDNgYaQDhgh0NS+BdHW5S0OKGtFX5gZVw4q
scn+Pyu6hFSo8txotPl6WH60R5BpCvyRADn5tN0iyvTKjrMVdyZB/6XAa3xAv+eW
i18yRbI7w9RBLiIvjujrHvTAQE30nH1CLqKcAKPiY8gl2JACMSU9uKUotwGJ8k6x
Urt1YfzQTwKBgQDVLXwBVSVWlBEX8kvXkS35+Os3wJCVpUml4xPrXEnespUK2/bH
54IHqml9t2D92iahPDN3karNeOQWIIHfW9e6SXFjH6vcH30Nh5rEabhdeDUQ5PJk
zHpyM/6cmgmTlDdKR+Mg83110HK9v/+gCdz/fXgj5gS5tmgotV++J+o6YQKBgQDB
uzd1mjPZvRqxQJ8/LLE6xZPKxIGIce8jBJPdoQPCQ3nkA38RHnqJgd+AaG6U+Ax9
TW9aHczSPe5i/f+JXtesJCrHqQxrpf3Wh/DoXZfWi5gPEkSb/OdKr9YfXv+ed+AF
gh09X8UfaN2IAA5SYq4u72CTb2J9/vV8aPfbgtJoNQKBgEUZDS55IX+/byGwFz7Q
D+eTVHlVt95fHphQI+ZNQH9jWW5di6MHo3aF9vvmKi2TKyBSmjFW2q3eJ6iHByXq
ccizC8X8aNn2At35KJmWRh4HJIDrQUkWo97HZ4qGzm9jBSYUfx3RWmpJf+Klcyq7
uABFORa09Z3XwwyoZO3BvxGz
-----END PRIVATE KEY-----
"""
    static let keyID = "0123456789abcdef0123456789abcdef01234567"
    static let expected = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1NjcifQ.eyJpc3MiOiJjb2xsZWN0b3JAYWNtZS1hdWRpdC0xMjMuaWFtLmdzZXJ2aWNlYWNjb3VudC5jb20iLCJzY29wZSI6Imh0dHBzOi8vd3d3Lmdvb2dsZWFwaXMuY29tL2F1dGgvbG9nZ2luZy5yZWFkIiwiYXVkIjoiaHR0cHM6Ly9vYXV0aDIuZ29vZ2xlYXBpcy5jb20vdG9rZW4iLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0.pTzGVeIChkmb5okTLY4IqulqyovikehKAj5sbDePyFzT15qI4nAsDXRwMi-37j_guTNmvdX-LIOTkFsz-dpsNhhK_Ql0cyXYza-68Fth42MhPVKl4VBBEcmoFkpDNItgUFix_QLfnxg-EEXf8qkwOJMEN2UAi7YA1Hr4IBxjzlL-pmUYkRFn-4aSFZAOuirRU_M7z5Xjh9f48ay7BuCYoCurEk5_pKixlucXl5M6-fL2oryaXqx4w9qHZKNvj_96Ge4kU2gkQySNbuZHIzo_iydhkdBK6ri3-NFmEFBgImVS9Y7a9GDq38yQCZ3-HoaaniekyfqS3tg62mr3XlhQDQ"

    @Test func signatureMatchesAnIndependentImplementation() throws {
        let signer = try JWTAssertionSigner(privateKeyPEM: Self.pem, keyID: Self.keyID)
        let jwt = try signer.sign(claims: [
            ("iss", .string("collector@acme-audit-123.iam.gserviceaccount.com")),
            ("scope", .string("https://www.googleapis.com/auth/logging.read")),
            ("aud", .string("https://oauth2.googleapis.com/token")),
            ("iat", .int(1_700_000_000)), ("exp", .int(1_700_003_600)),
        ])
        #expect(jwt == Self.expected)
    }

    @Test func extraHeaderFieldsFollowTheStandardOnes() throws {
        let signer = try JWTAssertionSigner(privateKeyPEM: Self.pem, keyID: nil)
        let jwt = try signer.sign(claims: [("sub", .string("x"))], extraHeader: [("x5t", "abc")])
        let header = try #require(jwt.split(separator: ".").first)
        #expect(decodeBase64URL(header).map { String(decoding: $0, as: UTF8.self) } == #"{"alg":"RS256","typ":"JWT","x5t":"abc"}"#)
    }

    @Test func aKeyThatDoesNotParseIsBadCredentialsWithoutTheKey() {
        let bogus = "-----BEGIN PRIVATE KEY-----\nAAAAsecretmaterial\n-----END PRIVATE KEY-----\n"
        do {
            _ = try JWTAssertionSigner(privateKeyPEM: bogus, keyID: nil)
            Issue.record("a bogus key was accepted")
        } catch {
            #expect(error.kind == .badCredentials)
            #expect(!error.description.contains("secretmaterial"))
        }
    }
}

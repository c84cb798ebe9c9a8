internal import TextBasics
internal import Crypto
internal import CryptoExtras
internal import Foundation
internal import JSONBytes

/// Signs the short-lived RS256 JWTs that OAuth2 clients present instead of a
/// secret: Google's service-account grant (RFC 7523 `assertion`) and
/// Microsoft's certificate credentials (`client_assertion`).
///
/// RS256 is RSASSA-PKCS1-v1_5 over SHA-256 (RFC 7518 §3.3); the signing itself
/// is swift-crypto's, only the JWS framing is done here. The key never leaves
/// this type and no error repeats it.
struct JWTAssertionSigner {
    /// A claim value: JWT assertions only need strings and NumericDates.
    enum Claim {
        case string(String)
        case int(Int64)
    }

    private let key: _RSA.Signing.PrivateKey
    /// The `kid` header (Google: the service account's `private_key_id`).
    let keyID: String?

    /// Parses a PEM RSA private key (PKCS#8 or PKCS#1, at least 2048 bits).
    init(privateKeyPEM pem: String, keyID: String?) throws(ProviderError) {
        do {
            self.init(key: try _RSA.Signing.PrivateKey(pemRepresentation: pem), keyID: keyID)
        } catch {
            throw ProviderError(.badCredentials, "the private key is not a PEM RSA key of at least 2048 bits")
        }
    }

    /// A key parsed elsewhere (a certificate credential checks it against its certificate first).
    init(key: _RSA.Signing.PrivateKey, keyID: String?) {
        self.key = key
        self.keyID = keyID
    }

    /// `base64url(header).base64url(claims).base64url(signature)`. The header is
    /// `{"alg":"RS256","typ":"JWT"}` plus `kid` and `extraHeader` (e.g. `x5t`).
    func sign(claims: [(String, Claim)], extraHeader: [(String, String)] = []) throws(ProviderError) -> String {
        var header = JSONWriter(reservingCapacity: 128)
        header.beginObject()
        header.key("alg"); header.string("RS256")
        header.key("typ"); header.string("JWT")
        if let keyID { header.key("kid"); header.string(keyID) }
        for (name, value) in extraHeader { header.key(name); header.string(value) }
        header.endObject()

        var body = JSONWriter(reservingCapacity: 512)
        body.beginObject()
        for (name, value) in claims {
            body.key(name)
            switch value {
            case .string(let text): body.string(text)
            case .int(let number): body.int(Int(number))
            }
        }
        body.endObject()

        let signingInput = Base64URL.encode(header.bytes) + "." + Base64URL.encode(body.bytes)
        let signature: _RSA.Signing.RSASignature
        do {
            signature = try key.signature(for: SHA256.hash(data: Array(signingInput.utf8)), padding: .insecurePKCS1v1_5)
        } catch {
            throw ProviderError(.badCredentials, "the private key could not sign the token request")
        }
        return signingInput + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }
}

public import Foundation
internal import TextBasics
internal import Crypto
internal import CryptoExtras
internal import SwiftASN1
internal import X509

/// An X.509 certificate and its RSA private key, read and checked together: the
/// credential an app registration holds instead of a secret (Microsoft identity
/// platform certificate credentials). The certificate's thumbprint names the key
/// to the token endpoint; the key signs the client assertion.
///
/// Both the API (before it stores them) and the poller (before it uses them) read
/// credentials through this type, so they agree on what is acceptable. No problem
/// message repeats any part of the PEM texts.
public struct ClientCertificate {
    /// Why a certificate credential is unusable, naming the credential field at fault.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public enum Field: String, Sendable {
            case certificate = "certificate_pem"
            case privateKey = "private_key_pem"
        }

        public var field: Field
        public var message: String

        init(_ field: Field, _ message: String) {
            self.field = field
            self.message = message
        }

        public var description: String { "\(field.rawValue) \(message)" }
    }

    /// The certificate exactly as encoded in the PEM: the bytes a thumbprint hashes.
    let der: [UInt8]
    /// The end of the certificate's validity; Entra ID refuses the credential after it.
    public let notValidAfter: Date
    let signer: JWTAssertionSigner

    /// Reads the first CERTIFICATE block of `certificatePEM` (a pasted chain starts with
    /// the leaf) and `privateKeyPEM` (PKCS#8 or PKCS#1, unencrypted, RSA of at least
    /// 2048 bits), and checks that the key is the certificate's.
    public init(certificatePEM: String, privateKeyPEM: String) throws(Problem) {
        let document = (try? PEMDocument.parseMultiple(pemString: certificatePEM))?
            .first { $0.discriminator == "CERTIFICATE" }
        guard let document, let certificate = try? Certificate(derEncoded: document.derBytes) else {
            throw Problem(.certificate, "must be a PEM X.509 certificate (-----BEGIN CERTIFICATE-----)")
        }
        guard let certificateKey = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw Problem(.certificate, "must hold an RSA public key (the identity platform signs with RS256)")
        }
        guard let key = try? _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM) else {
            throw Problem(.privateKey, "must be an unencrypted PEM RSA private key (PKCS#8 or PKCS#1) of at least 2048 bits")
        }
        guard key.publicKey.derRepresentation == certificateKey.derRepresentation else {
            throw Problem(.privateKey, "is not the private key of the certificate in certificate_pem")
        }
        der = document.derBytes
        notValidAfter = certificate.notValidAfter
        signer = JWTAssertionSigner(key: key, keyID: nil)
    }

    /// `x5t`: the base64url SHA-1 thumbprint of the DER certificate. SHA-1 is the
    /// protocol's identifier for the certificate here, not a security primitive.
    var sha1Thumbprint: String { Base64URL.encode(Array(Insecure.SHA1.hash(data: der))) }
}

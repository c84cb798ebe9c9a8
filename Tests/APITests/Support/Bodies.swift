import CryptoExtras
import Foundation
import JSONBytes
import SwiftASN1
import X509

/// Request bodies for the validators, built as values so PEM newlines need no escaping.
enum Bodies {
    /// One key per test process: RSA generation is the slow part.
    static let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let pkcs1PEM = rsaKey.pemRepresentation
    static let pkcs8PEM = rsaKey.pkcs8PEMRepresentation
    /// The app registration's certificate for `rsaKey`, valid for a year.
    static let certificatePEM = selfSigned(rsaKey, notValidAfter: Date() + 365 * 86400)

    /// A self-signed certificate for `key`, as `openssl req -x509` would make one.
    static func selfSigned(_ key: _RSA.Signing.PrivateKey, notValidAfter: Date) -> String {
        let name = try! DistinguishedName { CommonName("siem-collector-test") }
        let certificate = try! Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: notValidAfter - 2 * 365 * 86400, notValidAfter: notValidAfter, issuer: name, subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions(),
            issuerPrivateKey: Certificate.PrivateKey(key))
        return try! certificate.serializeAsPEM().pemString
    }

    /// A certificate of another key pair, and one whose validity ended yesterday.
    static let otherCertificatePEM = selfSigned(try! _RSA.Signing.PrivateKey(keySize: .bits2048), notValidAfter: Date() + 86400)
    static let expiredCertificatePEM = selfSigned(rsaKey, notValidAfter: Date() - 86400)

    /// A distinctive secret that must never come back in an error.
    static let secret = "Sup3r-S3cret~value.9f8e"

    static func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(members.map { (key: $0.key, value: $0.value) })
    }

    static func strings(_ members: KeyValuePairs<String, String>) -> JSONValue {
        .object(members.map { (key: $0.key, value: .string($0.value)) })
    }

    static let microsoftSecret = strings([
        "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "client_id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "client_secret": secret,
    ])

    static var microsoftCertificate: JSONValue {
        strings([
            "tenant_id": "contoso.onmicrosoft.com",
            "client_id": "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
            "certificate_pem": certificatePEM,
            "private_key_pem": pkcs1PEM,
        ])
    }

    static var gcpServiceAccount: JSONValue {
        strings([
            "type": "service_account",
            "project_id": "contoso-siem-prod",
            "private_key_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
            "private_key": pkcs8PEM,
            "client_email": "siem-reader@contoso-siem-prod.iam.gserviceaccount.com",
            "client_id": "113344556677889900112",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/siem-reader%40contoso-siem-prod.iam.gserviceaccount.com",
            "universe_domain": "googleapis.com",
        ])
    }

    static let awsKeys = strings([
        "access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "session_token": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD",
        "region": "eu-west-1",
    ])

    /// A body with `credentials` for `platform`, plus extra members.
    static func source(_ platform: String, credentials: JSONValue?, name: String = "Contoso audit",
                       extra: KeyValuePairs<String, JSONValue> = [:]) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("platform", .string(platform)), ("source_name", .string(name))]
        if let credentials { members.append(("api_credentials_json", credentials)) }
        members += extra.map { (key: $0.key, value: $0.value) }
        return .object(members)
    }

    /// `base` with one member replaced (or added), or removed when `value` is nil.
    static func replacing(_ name: String, with value: JSONValue?, in base: JSONValue) -> JSONValue {
        var members = base.objectValue ?? []
        if let index = members.firstIndex(where: { $0.key == name }) {
            if let value { members[index].value = value } else { members.remove(at: index) }
        } else if let value {
            members.append((name, value))
        }
        return .object(members)
    }
}

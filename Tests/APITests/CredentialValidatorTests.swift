import Testing
import HTTPRouting
import JSONBytes
import SourceModel
@testable import API

/// Credential shapes per platform. Each case names the one field at fault, and
/// no message may repeat a value from the credentials.
@Suite struct CredentialValidatorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var platform: Platform
        var credentials: JSONValue
        var fields: [String]
        /// A value from `credentials` that must not appear in any message.
        var secret: String
        var testDescription: String { label }
    }

    static var cases: [Case] {
        let m = Bodies.microsoftSecret
        let cert = Bodies.microsoftCertificate
        let g = Bodies.gcpServiceAccount
        let a = Bodies.awsKeys
        let s = Bodies.secret
        let badKey = "-----BEGIN PRIVATE KEY-----\nS3cretKeyMaterialNotBase64!\n-----END PRIVATE KEY-----\n"
        func r(_ name: String, _ value: JSONValue?, _ base: JSONValue) -> JSONValue { Bodies.replacing(name, with: value, in: base) }
        func f(_ name: String) -> String { "api_credentials_json.\(name)" }
        return [
            Case(label: "tenant id neither GUID nor domain", platform: .microsoft365,
                 credentials: r("tenant_id", .string("contoso tenant!"), m), fields: [f("tenant_id")], secret: s),
            Case(label: "client id not a GUID", platform: .microsoft365,
                 credentials: r("client_id", .string("my-app"), m), fields: [f("client_id")], secret: s),
            Case(label: "client id missing", platform: .azureAD,
                 credentials: r("client_id", nil, m), fields: [f("client_id")], secret: s),
            Case(label: "client secret empty", platform: .microsoft365,
                 credentials: r("client_secret", .string(""), m), fields: [f("client_secret")], secret: "72f988bf"),
            Case(label: "client secret a number", platform: .microsoft365,
                 credentials: r("client_secret", .number("98765432123"), m), fields: [f("client_secret")], secret: "98765432123"),
            Case(label: "client secret too long", platform: .microsoft365,
                 credentials: r("client_secret", .string(String(repeating: "Q", count: 1025)), m), fields: [f("client_secret")],
                 secret: String(repeating: "Q", count: 20)),
            Case(label: "secret and certificate", platform: .microsoft365,
                 credentials: r("client_secret", .string(s), cert), fields: ["api_credentials_json"], secret: s),
            Case(label: "neither secret nor certificate", platform: .microsoft365,
                 credentials: r("client_secret", nil, m), fields: [f("client_secret")], secret: "72f988bf"),
            Case(label: "private key does not parse", platform: .azureAD,
                 credentials: r("private_key_pem", .string(badKey), cert), fields: [f("private_key_pem")], secret: "S3cretKeyMaterial"),
            Case(label: "certificate without armour", platform: .azureAD,
                 credentials: r("certificate_pem", .string("MIIC-\(s)"), cert), fields: [f("certificate_pem")], secret: s),
            Case(label: "certificate without key", platform: .azureAD,
                 credentials: r("private_key_pem", nil, cert), fields: [f("private_key_pem")], secret: "BEGIN"),
            Case(label: "key of another certificate", platform: .microsoft365,
                 credentials: r("certificate_pem", .string(Bodies.otherCertificatePEM), cert), fields: [f("private_key_pem")],
                 secret: String(Bodies.pkcs1PEM.split(separator: "\n")[3])),
            Case(label: "certificate expired", platform: .microsoft365,
                 credentials: r("certificate_pem", .string(Bodies.expiredCertificatePEM), cert), fields: [f("certificate_pem")],
                 secret: String(Bodies.expiredCertificatePEM.split(separator: "\n")[3])),
            Case(label: "a key where the certificate goes", platform: .azureAD,
                 credentials: r("certificate_pem", .string(Bodies.pkcs8PEM), cert), fields: [f("certificate_pem")],
                 secret: String(Bodies.pkcs8PEM.split(separator: "\n")[3])),
            Case(label: "unknown member", platform: .microsoft365,
                 credentials: r("password", .string("hunter2hunter2"), m), fields: [f("password")], secret: "hunter2hunter2"),
            Case(label: "GCP user credentials", platform: .gcp,
                 credentials: r("type", .string("authorized_user"), g), fields: [f("type")], secret: "authorized_user"),
            Case(label: "GCP key does not parse", platform: .gcp,
                 credentials: r("private_key", .string(badKey), g), fields: [f("private_key")], secret: "S3cretKeyMaterial"),
            Case(label: "GCP token URI over http", platform: .gcp,
                 credentials: r("token_uri", .string("http://oauth2.googleapis.com/token"), g), fields: [f("token_uri")],
                 secret: "oauth2.googleapis"),
            Case(label: "GCP e-mail missing", platform: .gcp,
                 credentials: r("client_email", nil, g), fields: [f("client_email")], secret: "BEGIN"),
            Case(label: "GCP project id too short", platform: .gcp,
                 credentials: r("project_id", .string("ab"), g), fields: [f("project_id")], secret: "BEGIN"),
            Case(label: "GCP key id not hex", platform: .gcp,
                 credentials: r("private_key_id", .string("not-hex-at-all"), g), fields: [f("private_key_id")], secret: "not-hex"),
            Case(label: "GCP Microsoft field", platform: .gcp,
                 credentials: r("client_secret", .string(s), g), fields: [f("client_secret")], secret: s),
            Case(label: "AWS key id lowercase", platform: .aws,
                 credentials: r("access_key_id", .string("akiaiosfodnn7example"), a), fields: [f("access_key_id")], secret: "akiaiosfodnn7"),
            Case(label: "AWS secret too short", platform: .aws,
                 credentials: r("secret_access_key", .string("ZZshortZZ"), a), fields: [f("secret_access_key")], secret: "ZZshortZZ"),
            Case(label: "AWS secret with a newline", platform: .aws,
                 credentials: r("secret_access_key", .string("wJalrXUtnFEMI/K7MDENG\nbPxRfiCY"), a), fields: [f("secret_access_key")],
                 secret: "wJalrXUtnFEMI"),
            Case(label: "AWS region in capitals", platform: .aws,
                 credentials: r("region", .string("EU-WEST-1"), a), fields: [f("region")], secret: "wJalrXUtnFEMI"),
            Case(label: "AWS region without number", platform: .aws,
                 credentials: r("region", .string("us-east"), a), fields: [f("region")], secret: "wJalrXUtnFEMI"),
            Case(label: "AWS session token too short", platform: .aws,
                 credentials: r("session_token", .string("ZZtokZZ"), a), fields: [f("session_token")], secret: "ZZtokZZ"),
            Case(label: "AWS everything missing", platform: .aws, credentials: .object([]),
                 fields: [f("access_key_id"), f("secret_access_key"), f("region")], secret: "AKIA"),
        ]
    }

    @Test(arguments: cases)
    func namesTheFieldWithoutTheValue(_ c: Case) {
        var errors = FieldErrors()
        CredentialValidator.validate(c.credentials, platform: c.platform, into: &errors)
        #expect(errors.errors.map(\.field) == c.fields)
        for error in errors.errors { #expect(!error.message.contains(c.secret)) }
    }

    @Test(arguments: [
        (Platform.microsoft365, Bodies.microsoftSecret), (.azureAD, Bodies.microsoftSecret), (.azureAD, Bodies.microsoftCertificate),
        (.microsoft365, Bodies.replacing("private_key_pem", with: .string(Bodies.pkcs8PEM), in: Bodies.microsoftCertificate)),
        (.gcp, Bodies.gcpServiceAccount), (.aws, Bodies.awsKeys),
        (.aws, Bodies.replacing("session_token", with: nil, in: Bodies.awsKeys)),
        (.aws, Bodies.replacing("region", with: .string("us-gov-west-1"), in: Bodies.awsKeys)),
    ])
    func acceptsEachPlatformsShape(platform: Platform, credentials: JSONValue) {
        var errors = FieldErrors()
        CredentialValidator.validate(credentials, platform: platform, into: &errors)
        #expect(errors.errors == [])
    }

    @Test(arguments: [JSONValue.string("x"), .array([]), .null, .number("1")])
    func nonObjectsAreRejected(value: JSONValue) {
        var errors = FieldErrors()
        CredentialValidator.validate(value, platform: .aws, into: &errors)
        #expect(errors.errors.map(\.field) == ["api_credentials_json"])
    }
}

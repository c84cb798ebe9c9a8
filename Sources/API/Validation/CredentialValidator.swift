internal import Foundation
internal import JSONBytes
internal import SourceModel
internal import CryptoExtras
internal import Poller
internal import UTCTime

/// Checks the shape of each platform's credentials before they are sealed.
/// Messages name the field and never repeat its value.
enum CredentialValidator {
    static let prefix = "api_credentials_json"

    /// Adds what is wrong to `errors`; returns when valid credentials stop working on
    /// their own, if they say (a Microsoft certificate's notAfter; a client secret's end
    /// is known only to Entra ID).
    @discardableResult
    static func validate(_ credentials: JSONValue, platform: Platform, into errors: inout FieldErrors) -> UTCTimestamp? {
        guard case .object(let members) = credentials else {
            errors.add(prefix, "must be a JSON object (or a string holding one)")
            return nil
        }
        var fields = Fields(members: members, errors: errors)
        var expiry: UTCTimestamp?
        switch platform {
        case .microsoft365, .azureAD: expiry = microsoft(&fields)
        case .gcp: gcp(&fields)
        case .aws: aws(&fields)
        }
        errors = fields.errors
        return expiry
    }

    private static func microsoft(_ fields: inout Fields) -> UTCTimestamp? {
        fields.allow(["tenant_id", "client_id", "client_secret", "certificate_pem", "private_key_pem"])
        fields.requireText("tenant_id", { value in
            TextRules.isGUID(value) || TextRules.matches(value, allowed: { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }, length: 3...253)
        }, explain: "must be the directory (tenant) GUID or its domain name")
        fields.requireText("client_id", TextRules.isGUID, explain: "must be the application (client) GUID")
        let hasSecret = fields.has("client_secret")
        let hasCertificate = fields.has("certificate_pem") || fields.has("private_key_pem")
        if hasSecret && hasCertificate {
            fields.errors.add(prefix, "give either client_secret or certificate_pem with private_key_pem, not both")
        } else if hasSecret {
            fields.requireText("client_secret", { (1...1024).contains($0.count) }, explain: "must be a non-empty string")
        } else if hasCertificate {
            return certificate(&fields)
        } else {
            fields.errors.add("\(prefix).client_secret", "is required (or certificate_pem with private_key_pem)")
        }
        return nil
    }

    /// The certificate and its key are read the way the poller reads them: they must
    /// parse, belong together, and the certificate must not have expired (Entra ID
    /// refuses an expired certificate credential).
    private static func certificate(_ fields: inout Fields) -> UTCTimestamp? {
        fields.requireText("certificate_pem", { !$0.isEmpty }, explain: "must be a PEM certificate")
        fields.requireText("private_key_pem", { !$0.isEmpty }, explain: "must be a PEM RSA private key")
        guard let certificatePEM = fields.text("certificate_pem"), !certificatePEM.isEmpty,
              let keyPEM = fields.text("private_key_pem"), !keyPEM.isEmpty else { return nil }
        do {
            let certificate = try ClientCertificate(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
            let end = UTCTimestamp(seconds: Int64(certificate.notValidAfter.timeIntervalSince1970))
            if certificate.notValidAfter < Date() {
                fields.errors.add("\(prefix).certificate_pem", "has expired (valid until \(end)); make and upload a new one")
            }
            return end
        } catch {
            fields.errors.add("\(prefix).\(error.field.rawValue)", error.message)
            return nil
        }
    }

    private static func gcp(_ fields: inout Fields) {
        fields.allow(["type", "project_id", "private_key_id", "private_key", "client_email", "client_id",
                      "auth_uri", "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url", "universe_domain"])
        fields.requireText("type", { $0 == "service_account" }, explain: "must be \"service_account\"")
        fields.requireText("project_id", { TextRules.matches($0, allowed: { $0.isLetter || $0.isNumber || $0 == "-" || $0 == ":" || $0 == "." }, length: 4...100) },
                           explain: "must be a Google Cloud project id")
        fields.requireText("private_key_id", { TextRules.matches($0, allowed: TextRules.isASCIIHexDigit, length: 8...128) },
                           explain: "must be the key's hex id")
        fields.requireText("private_key", { pem in
            (try? _RSA.Signing.PrivateKey(pemRepresentation: pem)) != nil
        }, explain: "must be the PEM RSA private key of the service account and parse")
        fields.requireText("client_email", { $0.contains("@") && !TextRules.hasControlCharacters($0) && $0.count <= 320 },
                           explain: "must be the service account's e-mail address")
        fields.requireText("token_uri", TextRules.isHTTPSURL, explain: "must be an https URL")
    }

    private static func aws(_ fields: inout Fields) {
        fields.allow(["access_key_id", "secret_access_key", "session_token", "region"])
        fields.requireText("access_key_id", { TextRules.matches($0, allowed: { ($0.isUppercase || $0.isNumber) && $0.isASCII }, length: 16...128) },
                           explain: "must be an AWS access key id (uppercase letters and digits)")
        fields.requireText("secret_access_key", { (16...128).contains($0.count) && !TextRules.hasControlCharacters($0) },
                           explain: "must be 16 to 128 characters")
        fields.requireText("region", { region in
            let parts = region.split(separator: "-")
            return parts.count >= 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ($0.isLowercase || $0.isNumber) && $0.isASCII } }
                && parts.last!.allSatisfy(\.isNumber)
        }, explain: "must be an AWS region such as eu-west-1")
        if fields.has("session_token") {
            fields.requireText("session_token", { (16...4096).contains($0.count) && !TextRules.hasControlCharacters($0) },
                               explain: "must be the temporary session token")
        }
    }

    /// Typed access to the credential members with error collection.
    private struct Fields {
        let members: [(key: String, value: JSONValue)]
        var errors: FieldErrors

        func has(_ name: String) -> Bool { members.contains { $0.key == name } }

        func text(_ name: String) -> String? { members.first { $0.key == name }?.value.stringValue }

        mutating func allow(_ names: Set<String>) {
            for member in members where !names.contains(member.key) {
                errors.add("\(CredentialValidator.prefix).\(member.key)", "is not a known field for this platform")
            }
        }

        mutating func requireText(_ name: String, _ isValid: (String) -> Bool, explain: String) {
            let field = "\(CredentialValidator.prefix).\(name)"
            guard let member = members.first(where: { $0.key == name }) else {
                errors.add(field, "is required")
                return
            }
            guard let text = member.value.stringValue else {
                errors.add(field, "must be a string")
                return
            }
            if !isValid(text) { errors.add(field, explain) }
        }
    }
}

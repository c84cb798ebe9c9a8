/// The app registration of Microsoft365 and AzureAD sources: a tenant, a client, and a
/// client secret or a certificate with its private key.
public enum MicrosoftCredentials {
    public static let form = CredentialForm(
        choice: CredentialChoice(
            name: "auth_method", label: "The app proves itself with",
            help: "Microsoft recommends a certificate: upload its public part to the app registration "
                + "(Certificates & secrets), keep the private key here.",
            options: [.init(value: "secret", label: "A client secret"), .init(value: "certificate", label: "A certificate")]),
        fields: [
            CredentialField(name: "tenant_id", label: "Directory (tenant) ID", kind: .text,
                            help: "GUID or domain, e.g. contoso.onmicrosoft.com."),
            CredentialField(name: "client_id", label: "Application (client) ID", kind: .text, help: "GUID."),
            CredentialField(name: "client_secret", label: "Client secret", kind: .secret,
                            help: "The secret's value (not its id).", alternative: "secret"),
            CredentialField(name: "certificate_pem", label: "Certificate (PEM)", kind: .pem,
                            help: "The certificate uploaded to the app registration.",
                            placeholder: "-----BEGIN CERTIFICATE-----", alternative: "certificate"),
            CredentialField(name: "private_key_pem", label: "Private key (PEM)", kind: .pem,
                            help: "The certificate's RSA private key, unencrypted (PKCS#8 or PKCS#1). Sent once and stored encrypted.",
                            placeholder: "-----BEGIN PRIVATE KEY-----", secret: true, alternative: "certificate"),
        ],
        rules: rules)

    private static func rules(_ check: inout CredentialCheck) {
        check.allow(["tenant_id", "client_id", "client_secret", "certificate_pem", "private_key_pem"])
        check.requireText("tenant_id", { value in
            TextRules.isGUID(value) || TextRules.matches(value, allowed: { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }, length: 3...253)
        }, explain: "must be the directory (tenant) GUID or its domain name")
        check.requireText("client_id", TextRules.isGUID, explain: "must be the application (client) GUID")
        let hasSecret = check.has("client_secret")
        let hasCertificate = check.has("certificate_pem") || check.has("private_key_pem")
        if hasSecret && hasCertificate {
            check.add(nil, "give either client_secret or certificate_pem with private_key_pem, not both")
        } else if hasSecret {
            check.requireText("client_secret", { (1...1024).contains($0.count) }, explain: "must be a non-empty string")
        } else if hasCertificate {
            certificate(&check)
        } else {
            check.add("client_secret", "is required (or certificate_pem with private_key_pem)")
        }
    }

    /// The certificate and its key are read the way the poller reads them: they must
    /// parse, belong together, and the certificate must not have expired (Entra ID
    /// refuses an expired certificate credential). A client secret's end is known only to Entra ID.
    private static func certificate(_ check: inout CredentialCheck) {
        check.requireText("certificate_pem", { !$0.isEmpty }, explain: "must be a PEM certificate")
        check.requireText("private_key_pem", { !$0.isEmpty }, explain: "must be a PEM RSA private key")
        guard let certificatePEM = check.text("certificate_pem"), !certificatePEM.isEmpty,
              let keyPEM = check.text("private_key_pem"), !keyPEM.isEmpty else { return }
        switch check.readers.certificate(certificatePEM, keyPEM) {
        case .success(let end):
            if end < check.now {
                check.add("certificate_pem", "has expired (valid until \(end)); make and upload a new one")
            }
            check.expiresAt = end
        case .failure(let problem):
            check.add(problem.field, problem.message)
        }
    }
}

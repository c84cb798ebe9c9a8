internal import Foundation

/// How an app registration proves itself at the token endpoint: its client secret,
/// or a JWT signed with the key of a certificate registered on the app, sent as
/// `client_assertion` ("Microsoft identity platform application authentication
/// certificate credentials"; OpenID Connect `private_key_jwt`).
enum MicrosoftClientCredential {
    case secret(String)
    case certificate(ClientCertificate)

    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// The docs: keep `exp` short, 5 to 10 minutes after `nbf`.
    static let assertionLifetime: Int64 = 600

    /// `client_secret`, or `certificate_pem` with `private_key_pem` (the API allows only these shapes).
    init(context: ProviderContext) throws(ProviderError) {
        let secret = context.credential("client_secret")
        let certificate = context.credential("certificate_pem")
        let key = context.credential("private_key_pem")
        switch (secret, certificate, key) {
        case (let secret?, nil, nil):
            self = .secret(secret)
        case (nil, let certificate?, let key?):
            do {
                self = .certificate(try ClientCertificate(certificatePEM: certificate, privateKeyPEM: key))
            } catch {
                throw ProviderError(.badCredentials, "certificate credentials: \(error.description)")
            }
        default:
            throw ProviderError(.configuration, "credentials need client_secret, or certificate_pem with private_key_pem")
        }
    }

    /// The fields of a token request to `tokenURL` that authenticate the client.
    func formFields(clientID: String, tokenURL: String, now: Int64) throws(ProviderError) -> [(String, String)] {
        switch self {
        case .secret(let secret):
            return [("client_secret", secret)]
        case .certificate(let certificate):
            let assertion = try Self.assertion(certificate, clientID: clientID, tokenURL: tokenURL, now: now,
                                               id: UUID().uuidString.lowercased())
            return [("client_assertion_type", Self.assertionType), ("client_assertion", assertion)]
        }
    }

    /// RS256 with the certificate's SHA-1 thumbprint as `x5t`, the pairing Entra ID has long
    /// documented and MSAL sends by default; `aud` the token endpoint, `iss` = `sub` = the
    /// client id, a unique `jti`, valid from `now` for ten minutes.
    static func assertion(_ certificate: ClientCertificate, clientID: String, tokenURL: String, now: Int64,
                          id: String) throws(ProviderError) -> String {
        try certificate.signer.sign(claims: [
            ("aud", .string(tokenURL)), ("iss", .string(clientID)), ("sub", .string(clientID)), ("jti", .string(id)),
            ("nbf", .int(now)), ("iat", .int(now)), ("exp", .int(now + assertionLifetime)),
        ], extraHeader: [("x5t", certificate.sha1Thumbprint)])
    }
}

internal import Curl
internal import JSONBytes
internal import UTCTime

/// A Google service-account key and its OAuth2 grant: a JWT assertion signed with
/// the key (RFC 7523), exchanged at `token_uri` for an access token
/// (Google's "OAuth 2.0 for Server to Server Applications").
struct GCPServiceAccount {
    /// Read-only access to Cloud Logging, nothing else.
    static let scope = "https://www.googleapis.com/auth/logging.read"
    static let grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    /// Google refuses assertions valid for longer than an hour.
    static let assertionLifetime: Int64 = 3600

    let projectID: String
    let clientEmail: String
    let tokenURI: String
    private let signer: JWTAssertionSigner

    init(context: ProviderContext) throws(ProviderError) {
        guard context.credential("type") == "service_account" else {
            throw ProviderError(.configuration, "credentials are not a service-account key (type must be service_account)")
        }
        guard let project = context.credential("project_id"), !project.isEmpty,
              let email = context.credential("client_email"), !email.isEmpty,
              let pem = context.credential("private_key"),
              let tokenURI = context.credential("token_uri"), tokenURI.hasPrefix("https://")
        else {
            throw ProviderError(.configuration, "service-account key lacks project_id, client_email, private_key or an https token_uri")
        }
        projectID = project
        clientEmail = email
        self.tokenURI = tokenURI
        signer = try JWTAssertionSigner(privateKeyPEM: pem, keyID: context.credential("private_key_id"))
    }

    /// What the token is for; the cache adds the source and its credentials, so sources
    /// naming the same account never share a token.
    var tokenPurpose: String { "gcp|\(tokenURI)|\(clientEmail)|\(signer.keyID ?? "")|\(Self.scope)" }

    func token(context: ProviderContext) throws(ProviderError) -> String {
        try context.tokens.token(for: context.tokenKey(tokenPurpose)) { () throws(ProviderError) in try fetchToken(http: context.http) }
    }

    func invalidate(context: ProviderContext) {
        context.tokens.invalidate(context.tokenKey(tokenPurpose))
    }

    /// The signed assertion: `iss` the account, `scope`, `aud` the token endpoint, an hour's validity.
    func assertion(issuedAt now: Int64) throws(ProviderError) -> String {
        try signer.sign(claims: [
            ("iss", .string(clientEmail)), ("scope", .string(Self.scope)), ("aud", .string(tokenURI)),
            ("iat", .int(now)), ("exp", .int(now + Self.assertionLifetime)),
        ])
    }

    private func fetchToken(http: ProviderHTTP) throws(ProviderError) -> (token: String, lifetime: Double) {
        let request = HTTPRequest.formPost(url: tokenURI, fields: [
            ("grant_type", Self.grantType), ("assertion", try assertion(issuedAt: UTCTimestamp.now().seconds)),
        ])
        let response = try http.send(request, pacing: nil, what: "token request")
        return try OAuthTokenResponse.read(response, defaultLifetime: 3599)
    }
}

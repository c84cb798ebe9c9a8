internal import Curl
internal import UTCTime

/// OAuth2 client credentials against the Microsoft identity platform (v2.0):
/// `POST {authority}/{tenant}/oauth2/v2.0/token`, scope `{resource}/.default`,
/// the client authenticated by a secret or a certificate's signed assertion.
struct MicrosoftIdentity {
    let cloud: MicrosoftCloud
    let directoryTenant: String
    let clientID: String
    let credential: MicrosoftClientCredential

    init(context: ProviderContext, cloud: MicrosoftCloud) throws(ProviderError) {
        guard let tenant = context.credential("tenant_id"), let client = context.credential("client_id") else {
            throw ProviderError(.configuration, "credentials lack tenant_id or client_id")
        }
        self.cloud = cloud
        self.directoryTenant = tenant
        self.clientID = client
        self.credential = try MicrosoftClientCredential(context: context)
    }

    /// The token endpoint; also the `aud` of a client assertion.
    var tokenURL: String { "\(cloud.authorityHost)/\(URLEncoding.percentEncode(directoryTenant))/oauth2/v2.0/token" }

    /// Requests sharing an app registration and a tenant share Graph's budget.
    var pacingKey: String { "graph|\(directoryTenant)|\(clientID)" }

    /// This source's token for `resource`; never another source's, even of the same app.
    func cacheKey(resource: String, context: ProviderContext) -> TokenCache.Key {
        context.tokenKey("ms|\(cloud.authorityHost)|\(directoryTenant)|\(clientID)|\(resource)")
    }

    func token(resource: String, context: ProviderContext) throws(ProviderError) -> String {
        try context.tokens.token(for: cacheKey(resource: resource, context: context)) { () throws(ProviderError) in
            try fetchToken(resource: resource, http: context.http)
        }
    }

    func invalidate(resource: String, context: ProviderContext) {
        context.tokens.invalidate(cacheKey(resource: resource, context: context))
    }

    private func fetchToken(resource: String, http: ProviderHTTP) throws(ProviderError) -> (token: String, lifetime: Double) {
        let url = tokenURL
        // A fresh assertion per request: each carries its own jti and a short validity.
        let authentication = try credential.formFields(clientID: clientID, tokenURL: url, now: UTCTimestamp.now().seconds)
        let request = HTTPRequest.formPost(url: url, fields: [("grant_type", "client_credentials"), ("client_id", clientID)]
            + authentication + [("scope", "\(resource)/.default")])
        let response = try http.send(request, pacing: nil, what: "token request")
        // Entra answers a refused client with 400 or 401 (AADSTS codes); anything else is its own trouble.
        return try OAuthTokenResponse.read(response, defaultLifetime: 3599) { status in
            [400, 401].contains(status) ? .badCredentials : .serverError
        }
    }
}

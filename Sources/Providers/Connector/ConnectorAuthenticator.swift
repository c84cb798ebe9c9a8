internal import Catalog
internal import Curl
internal import Foundation
internal import JSONBytes
internal import UTCTime

/// Signs a connector's requests the way its declaration says: a fixed header, basic auth, or
/// an OAuth2 token (client credentials with a secret or a private-key JWT assertion, or the
/// JWT-bearer grant) cached per source and credentials, refreshed once on a 401.
struct ConnectorAuthenticator {
    private let auth: ConnectorDeclaration.Auth
    private let values: ConnectorValues
    private let signer: JWTAssertionSigner?

    init(declaration: ConnectorDeclaration, values: ConnectorValues) throws(ProviderError) {
        let members = Set(values.context.credentials.objectValue?.map(\.key) ?? [])
        guard let auth = declaration.auth(forCredentialMembers: members) else {
            throw ProviderError(.configuration, "the credentials match no way to sign in of \(declaration.platform)")
        }
        self.auth = auth
        self.values = values
        switch auth.kind {
        case .clientCredentials(let grant) where grant.assertionKey != nil:
            signer = try JWTAssertionSigner(privateKeyPEM: try values.render(grant.assertionKey!),
                                            keyID: grant.keyID.flatMap { try? values.render($0) })
        case .jwtBearer(let grant):
            signer = try JWTAssertionSigner(privateKeyPEM: try values.render(grant.privateKey),
                                            keyID: grant.keyID.flatMap { try? values.render($0) })
        default:
            signer = nil
        }
    }

    /// Whether a 401 may be answered by fetching a new token (fixed credentials cannot change).
    var refreshes: Bool {
        switch auth.kind {
        case .clientCredentials, .jwtBearer: true
        case .staticHeader, .basic: false
        }
    }

    func headers() throws(ProviderError) -> [(name: String, value: String)] {
        switch auth.kind {
        case .staticHeader(let name, let value):
            return [(name, try values.render(value))]
        case .basic(let username, let password):
            let pair = "\(try values.render(username)):\(try values.render(password))"
            return [("Authorization", "Basic " + Data(pair.utf8).base64EncodedString())]
        case .clientCredentials(let grant):
            return [("Authorization", grant.tokenPrefix + (try token()))]
        case .jwtBearer(let grant):
            return [("Authorization", grant.tokenPrefix + (try token()))]
        }
    }

    func invalidate() {
        guard let purpose = try? tokenPurpose() else { return }
        values.context.tokens.invalidate(values.context.tokenKey(purpose))
    }

    /// What the token is for; the cache adds the source and a digest of its credentials.
    private func tokenPurpose() throws(ProviderError) -> String {
        switch auth.kind {
        case .clientCredentials(let grant):
            return "connector|\(values.declaration.platform)|\(try values.render(grant.tokenURL))|\(try values.render(grant.clientID))|"
                + (try grant.scope.map { (t) throws(ProviderError) in try values.render(t) } ?? "")
        case .jwtBearer(let grant):
            return "connector|\(values.declaration.platform)|\(try values.render(grant.tokenURL))|"
                + (try grant.claims.map { (claim) throws(ProviderError) in "\(claim.name)=\(try values.render(claim.value, tokenURL: try values.render(grant.tokenURL)))" }.joined(separator: "|"))
        default:
            return "connector|\(values.declaration.platform)"
        }
    }

    private func token() throws(ProviderError) -> String {
        let context = values.context
        return try context.tokens.token(for: context.tokenKey(try tokenPurpose())) { () throws(ProviderError) in try fetchToken() }
    }

    private func fetchToken() throws(ProviderError) -> (token: String, lifetime: Double) {
        let now = UTCTimestamp.now().seconds
        let tokenURL: String
        var fields: [(String, String)]
        switch auth.kind {
        case .clientCredentials(let grant):
            tokenURL = try values.render(grant.tokenURL)
            let clientID = try values.render(grant.clientID)
            fields = [("grant_type", "client_credentials")]
            if let scope = grant.scope { fields.append(("scope", try values.render(scope))) }
            if let secret = grant.clientSecret {
                fields += [("client_id", clientID), ("client_secret", try values.render(secret))]
            } else if let signer {
                // RFC 7523 §3: iss = sub = the client, aud = the token endpoint, short-lived, unique.
                let assertion = try signer.sign(claims: [
                    ("iss", .string(clientID)), ("sub", .string(clientID)), ("aud", .string(tokenURL)),
                    ("iat", .int(now)), ("exp", .int(now + 300)), ("jti", .string(UUID().uuidString)),
                ])
                fields += [("client_id", clientID),
                           ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                           ("client_assertion", assertion)]
            }
        case .jwtBearer(let grant):
            tokenURL = try values.render(grant.tokenURL)
            guard let signer else { throw ProviderError(.configuration, "no signing key") }
            var claims: [(String, JWTAssertionSigner.Claim)] = []
            for claim in grant.claims { claims.append((claim.name, .string(try values.render(claim.value, tokenURL: tokenURL)))) }
            claims += [("iat", .int(now)), ("exp", .int(now + Int64(grant.lifetimeSeconds)))]
            fields = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", try signer.sign(claims: claims))]
        default:
            throw ProviderError(.configuration, "no token for a fixed credential")
        }
        let response = try context.http.send(HTTPRequest.formPost(url: tokenURL, fields: fields), pacing: nil, what: "token request")
        // Salesforce sends no expires_in: its session lasts at least 15 minutes.
        return try OAuthTokenResponse.read(response, defaultLifetime: 900)
    }

    private var context: ProviderContext { values.context }
}

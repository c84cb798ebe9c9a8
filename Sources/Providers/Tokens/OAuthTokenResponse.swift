internal import Curl
internal import JSONBytes
internal import TextBasics

/// Reads an OAuth2 token endpoint's answer (RFC 6749 §5.1/§5.2): the access token and its
/// lifetime, or the refusal with the endpoint's own error code and the first line of its text.
/// The one reader for every token request (Microsoft identity, Google, connectors).
enum OAuthTokenResponse {
    /// RFC 6749 §5.2: the client's credentials or grant were refused (400, 401, 403); a missing
    /// endpoint is a configuration error; anything else is the server's.
    static func standardRefusal(status: Int) -> ProviderError.Kind {
        switch status {
        case 400, 401, 403: .badCredentials
        case 404: .configuration
        default: .serverError
        }
    }

    static func read(
        _ response: HTTPResponse, defaultLifetime: Double,
        refusal: (_ status: Int) -> ProviderError.Kind = standardRefusal
    ) throws(ProviderError) -> (token: String, lifetime: Double) {
        let body = try? RawJSON(validating: response.body)
        guard response.status == 200 else {
            // {"error":"invalid_grant","error_description":"Invalid JWT Signature."}; AADSTS descriptions
            // carry trace and correlation ids on later lines: keep the reason.
            let code = body?["error"]?.stringValue ?? "HTTP \(response.status)"
            let description = body?["error_description"]?.stringValue?.firstLine(limit: 300) ?? ""
            throw ProviderError(refusal(response.status), String("token request refused: \(code) \(description)".trimmed(" ")))
        }
        guard let token = body?["access_token"]?.stringValue, !token.isEmpty else {
            throw ProviderError(.malformedResponse, "token response has no access_token")
        }
        // A number per RFC 6749; some endpoints (Azure AD v1) send it as a string.
        let lifetime = body?["expires_in"]?.doubleValue ?? body?["expires_in"]?.stringValue.flatMap(Double.init)
        return (token, lifetime ?? defaultLifetime)
    }
}

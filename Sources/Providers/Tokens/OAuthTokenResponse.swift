internal import Curl
internal import JSONBytes

/// Reads an OAuth2 token endpoint's answer (RFC 6749 §5.1/§5.2): the access token and its
/// lifetime, or the refusal as bad credentials with the endpoint's own error code and text.
enum OAuthTokenResponse {
    static func read(_ response: HTTPResponse, defaultLifetime: Double) throws(ProviderError) -> (token: String, lifetime: Double) {
        let body = try? RawJSON(validating: response.body)
        guard response.status == 200 else {
            // {"error":"invalid_grant","error_description":"Invalid JWT Signature."}
            let code = body?["error"]?.stringValue ?? "HTTP \(response.status)"
            let description = String((body?["error_description"]?.stringValue ?? "").prefix(300))
            let kind: ProviderError.Kind = switch response.status {
            case 400, 401, 403: .badCredentials
            case 404: .configuration
            default: .serverError
            }
            throw ProviderError(kind, "token request refused: \(code) \(description)".trimmingCharacters(in: " "))
        }
        guard let token = body?["access_token"]?.stringValue, !token.isEmpty else {
            throw ProviderError(.malformedResponse, "token response has no access_token")
        }
        return (token, body?["expires_in"]?.doubleValue ?? defaultLifetime)
    }
}

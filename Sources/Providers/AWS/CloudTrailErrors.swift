internal import Curl
internal import JSONBytes
internal import TextBasics

/// An AWS JSON 1.1 error response, `{"__type":"…","message":"…"}` (usually HTTP
/// 400), read the way the SDKs read it, and mapped to the operator's categories.
struct AWSErrorResponse: Equatable {
    var status: Int
    /// The error code without its namespace (`com.amazon.coral.service#UnrecognizedClientException` → `UnrecognizedClientException`).
    var code: String
    /// The first line of the message, at most 300 characters. AWS appends the
    /// canonical request to signature errors, and that includes the session token.
    var message: String

    init(_ response: HTTPResponse, redacting secrets: [String] = []) {
        self.init(status: response.status, errorTypeHeader: response.header(named: "x-amzn-errortype"),
                  body: response.body, redacting: secrets)
    }

    init(status: Int, errorTypeHeader: String?, body: [UInt8], redacting secrets: [String] = []) {
        self.status = status
        let body = try? RawJSON(validating: body)
        let type = body?["__type"]?.stringValue ?? body?["code"]?.stringValue
        // x-amzn-ErrorType: "UnrecognizedClientException:http://internal.amazon.com/coral/…"
        let header = errorTypeHeader.map { String($0.prefix { $0 != ":" }) }
        let raw = type ?? header ?? ""
        code = String(raw.split(separator: "#", omittingEmptySubsequences: false).last ?? "")
        var text = body?["message"]?.stringValue ?? body?["Message"]?.stringValue ?? ""
        text = text.firstLine(limit: 300)
        for secret in secrets where text.contains(secret) {
            text = text.replacing(secret, with: "<redacted>")
        }
        message = text
    }

    static let throttlingCodes: Set<String> = [
        "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "RequestLimitExceeded",
    ]
    static let credentialCodes: Set<String> = [
        "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
        "SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken",
        "MissingAuthenticationTokenException", "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId",
        "AuthFailure",
    ]
    static let permissionCodes: Set<String> = [
        "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "NotAuthorized", "OptInRequired",
    ]
    /// The server rejected its own paging token, or failed in a way a later run may not see.
    static let serverCodes: Set<String> = ["InvalidNextTokenException", "InternalFailure", "ServiceUnavailable"]

    /// Back off and try again.
    var isThrottling: Bool { Self.throttlingCodes.contains(code) }

    /// A signature refused only because the clocks disagree by more than 5 minutes.
    var isClockSkew: Bool {
        message.hasPrefix("Signature expired") || message.hasPrefix("Signature not yet current") || code == "RequestExpired"
            || code == "RequestTimeTooSkewed"
    }

    func providerError(what: String) -> ProviderError {
        let detail = "\(what): HTTP \(status) \(code)\(message.isEmpty ? "" : ": \(message)")"
        let kind: ProviderError.Kind
        if isThrottling {
            kind = .throttled
        } else if isClockSkew {
            return ProviderError(.configuration, detail + " (the poller host's clock is off; sync it with NTP)")
        } else if Self.credentialCodes.contains(code) {
            kind = .badCredentials
        } else if Self.permissionCodes.contains(code) {
            kind = .missingPermission
        } else if Self.serverCodes.contains(code) || status >= 500 {
            kind = .serverError
        } else {
            // InvalidTimeRange, InvalidMaxResults, UnknownOperation, Serialization, a proxy's 404, …
            kind = .configuration
        }
        return ProviderError(kind, detail)
    }
}

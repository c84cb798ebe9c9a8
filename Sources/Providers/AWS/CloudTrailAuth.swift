internal import Curl
internal import Foundation
internal import SigV4

/// SigV4 for CloudTrail's JSON 1.1 API: every request is signed anew (a retry
/// gets a fresh `X-Amz-Date`), with the source's region and the service name
/// `cloudtrail`; temporary credentials add a signed `X-Amz-Security-Token`.
struct CloudTrailAuth {
    static let service = "cloudtrail"
    static let contentType = "application/x-amz-json-1.1"

    let signer: SigV4Signer
    let endpoint: CloudTrailEndpoint

    init(credentials: AWSCredentials, region: String, endpoint: CloudTrailEndpoint) {
        signer = SigV4Signer(credentials: credentials, region: region, service: Self.service)
        self.endpoint = endpoint
    }

    /// A signed `POST` of `body` to the operation named by `target`.
    ///
    /// `Host` is set explicitly: libcurl would otherwise write its own, and the
    /// server checks the signature against the header it receives.
    func request(target: String, body: [UInt8], date: Date) -> HTTPRequest {
        var signable = SignableRequest(
            method: "POST", path: endpoint.path,
            headers: [("Host", endpoint.host), ("Content-Type", Self.contentType), ("X-Amz-Target", target)],
            body: body)
        signer.sign(&signable, date: date)
        return HTTPRequest(method: .post, url: endpoint.url, headers: signable.headers, body: body)
    }

    /// The values that must never appear in a message: the secret and the session token.
    var secrets: [String] {
        [signer.credentials.secretAccessKey, signer.credentials.sessionToken].compactMap { $0 }.filter { !$0.isEmpty }
    }
}

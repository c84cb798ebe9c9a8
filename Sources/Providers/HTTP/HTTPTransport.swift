public import Curl

/// Where a provider's requests go: libcurl in production (`HTTPClient`), a scripted
/// list of recorded responses in tests (TestSupport's `ScriptedTransport`), so paging,
/// token refresh and retry decisions are tested without a network.
public protocol HTTPTransport: AnyObject {
    /// Sends one request and returns the response, whatever its status. Throws only when
    /// no response came (connection, TLS, timeout, size limit).
    func send(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse
}

extension HTTPClient: HTTPTransport {}

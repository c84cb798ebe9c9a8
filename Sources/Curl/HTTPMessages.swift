/// An HTTP method.
public struct HTTPMethod: Hashable, Sendable, CustomStringConvertible {
    /// The method token, e.g. `GET`.
    public let rawValue: String
    /// A method token (uppercase ASCII letters; validated when the request is sent).
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// GET.
    public static let get = HTTPMethod("GET")
    /// POST.
    public static let post = HTTPMethod("POST")
    /// PUT.
    public static let put = HTTPMethod("PUT")
    /// PATCH.
    public static let patch = HTTPMethod("PATCH")
    /// DELETE.
    public static let delete = HTTPMethod("DELETE")
    /// HEAD (no response body).
    public static let head = HTTPMethod("HEAD")
    public var description: String { rawValue }
}

/// A request for ``HTTPClient/send(_:)``.
public struct HTTPRequest: Sendable {
    /// The method.
    public var method: HTTPMethod
    /// An absolute `https://` URL, query already encoded (see ``URLEncoding``).
    public var url: String
    /// Request headers in order. Never copied into errors or logs by this module.
    public var headers: [(name: String, value: String)]
    /// Request body, sent with `Content-Length`; `nil` for none.
    public var body: [UInt8]?
    /// Overrides ``HTTPClientConfiguration/requestTimeout`` for this request.
    public var timeout: Duration?

    /// Creates a request.
    public init(
        method: HTTPMethod = .get, url: String, headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil, timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The URL without user info, query and fragment: safe for logs.
    public var redactedURL: String { Curl.redactedURL(url) }

    /// A POST with an `application/x-www-form-urlencoded` body (OAuth2 token requests).
    public static func formPost(
        url: String, fields: [(String, String)], headers: [(name: String, value: String)] = []
    ) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: url,
            headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")] + headers,
            body: URLEncoding.formURLEncoded(fields))
    }
}

/// Where the time of a request went.
public struct HTTPTiming: Sendable, Hashable, CustomStringConvertible {
    /// Whole request.
    public var total: Duration
    /// Until DNS resolution finished.
    public var nameLookup: Duration
    /// Until the TCP connection was up.
    public var connect: Duration
    /// Until the TLS handshake finished (zero on a reused connection).
    public var tlsHandshake: Duration
    /// Until the first response byte.
    public var firstByte: Duration

    /// No time spent (a response that never crossed a network).
    public static let zero = HTTPTiming(total: .zero, nameLookup: .zero, connect: .zero, tlsHandshake: .zero, firstByte: .zero)

    public var description: String {
        "total=\(total) connect=\(connect) tls=\(tlsHandshake) firstByte=\(firstByte)"
    }
}

/// A response from ``HTTPClient/send(_:)``. Any status is a response, not an error: the
/// caller decides what 401, 429 or 503 mean.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Response headers in order, names lowercased; repeated headers stay separate.
    public var headers: [(name: String, value: String)]
    /// The body, decoded if it was gzip/deflate compressed.
    public var body: [UInt8]
    /// Timings for logs.
    public var timing: HTTPTiming
    /// New connections opened for this request (0 = a kept-alive connection was reused).
    public var connectionsOpened: Int
    /// `1.1`, `2` or `3`; `nil` if unknown.
    public var httpVersion: String?

    /// The first value of a header (case-insensitive name).
    public func header(named name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }

    /// All values of a header (case-insensitive name), in order.
    public func headers(named name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.name == lower }.map(\.value)
    }

    /// The body as UTF-8 text (invalid bytes replaced), for error messages and tests.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

extension HTTPResponse {
    /// A response built elsewhere than libcurl (a recorded page in tests); header names are
    /// lowercased, as the client delivers them.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.init(status: status, headers: headers.map { (name: $0.name.lowercased(), value: $0.value) }, body: body,
                  timing: .zero, connectionsOpened: 0, httpVersion: nil)
    }
}

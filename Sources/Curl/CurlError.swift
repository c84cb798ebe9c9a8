/// The one error type of the Curl module.
///
/// Carries curl's own texts (`curl_easy_strerror` and the `CURLOPT_ERRORBUFFER` detail)
/// and the request's URL without query, fragment or user info. It never contains request
/// headers or bodies: those carry bearer tokens and client secrets.
public struct CurlError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, coarse enough for the poller's retry decisions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case timeout, couldNotResolveHost, couldNotConnect, tls, tooLarge, protocolNotAllowed
            case invalidURL, invalidRequest, invalidConfiguration, connectionLost, tooManyRedirects
            case badContentEncoding, other
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The total or connect timeout passed, or the transfer fell below the low-speed limit.
        public static let timeout = Code(.timeout)
        /// DNS resolution failed.
        public static let couldNotResolveHost = Code(.couldNotResolveHost)
        /// The TCP connection (or the proxy connection) could not be made.
        public static let couldNotConnect = Code(.couldNotConnect)
        /// TLS handshake or certificate verification failed.
        public static let tls = Code(.tls)
        /// The response exceeded ``HTTPClientConfiguration/maxResponseBytes`` (or the header limits).
        public static let tooLarge = Code(.tooLarge)
        /// The URL's scheme is not `https` (only HTTPS is allowed, also for redirects).
        public static let protocolNotAllowed = Code(.protocolNotAllowed)
        /// The URL is malformed.
        public static let invalidURL = Code(.invalidURL)
        /// The request itself is invalid (e.g. a header containing a line break).
        public static let invalidRequest = Code(.invalidRequest)
        /// The client configuration is invalid (unreadable CA bundle, out-of-range values).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The connection broke while sending or receiving, or the server sent nothing.
        public static let connectionLost = Code(.connectionLost)
        /// More redirects than allowed.
        public static let tooManyRedirects = Code(.tooManyRedirects)
        /// The response's content encoding could not be decoded.
        public static let badContentEncoding = Code(.badContentEncoding)
        /// Anything else (see ``CurlError/curlCode``).
        public static let other = Code(.other)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// The coarse error class.
    public var code: Code
    /// `curl_easy_strerror` of the curl code, or this module's own message.
    public var message: String
    /// curl's detailed message from `CURLOPT_ERRORBUFFER`, when it wrote one.
    public var detail: String?
    /// The raw `CURLcode`, when the error came from curl.
    public var curlCode: Int?
    /// Method and URL of the failed request (no query, fragment or user info).
    public var request: String?
    /// Where the error was raised.
    public var file: String
    /// Where the error was raised.
    public var line: Int

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, detail: String? = nil, curlCode: Int? = nil, request: String? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.detail = detail
        self.curlCode = curlCode
        self.request = request
        self.file = file
        self.line = line
    }

    /// True for errors worth retrying later (timeouts, connection and DNS failures, broken
    /// connections). Certificate, protocol and size errors are not.
    public var isTransient: Bool {
        [.timeout, .couldNotConnect, .couldNotResolveHost, .connectionLost].contains(code)
    }

    public var description: String {
        var text = "CurlError(\(code)): \(message)"
        if let detail, !detail.isEmpty, detail != message { text += " (\(detail))" }
        if let request { text += " [\(request)]" }
        return text
    }

    public var debugDescription: String {
        "\(description) curlCode=\(curlCode.map(String.init) ?? "-") at \(file):\(line)"
    }
}

/// `scheme://host[:port]/path` of a URL: drops user info, query and fragment, which may
/// carry credentials (SAS tokens, API keys, OAuth codes).
func redactedURL(_ url: String) -> String {
    var rest = Substring(url)
    if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
    guard let schemeEnd = rest.firstRange(of: "://") else { return String(rest.prefix(200)) }
    let scheme = rest[..<schemeEnd.lowerBound]
    var authorityAndPath = rest[schemeEnd.upperBound...]
    let authorityEnd = authorityAndPath.firstIndex(of: "/") ?? authorityAndPath.endIndex
    if let at = authorityAndPath[..<authorityEnd].lastIndex(of: "@") {
        authorityAndPath = authorityAndPath[authorityAndPath.index(after: at)...]
    }
    return String((scheme + "://" + authorityAndPath).prefix(300))
}

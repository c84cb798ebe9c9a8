internal import CCurl
internal import CCurlShims
internal import TextBasics

/// An HTTPS client on one libcurl easy handle.
///
/// The handle keeps its connection between requests, so paging through an API reuses one
/// TLS connection. Not thread-safe: create one client per worker thread (optionally with
/// a common ``HTTPClientShare``). Retries and backoff are the caller's business.
public final class HTTPClient {
    /// The configuration the client was created with.
    public let configuration: HTTPClientConfiguration
    /// New connections opened over the client's lifetime (1 after many requests to one
    /// host means keep-alive works).
    public private(set) var connectionsOpened = 0

    private let easy: UnsafeMutableRawPointer
    private let state: TransferState
    private let share: HTTPClientShare?
    /// The system and extra CA bundles as one file; released after the handle (deinit order).
    private var trustFile: TrustBundleFile?

    /// Creates a client. Reads the CA files once, here.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(), share: HTTPClientShare? = nil)
        throws(CurlError)
    {
        try configuration.validate()
        curlGlobalInit()
        guard let easy = curl_easy_init() else { throw CurlError(.other, "curl_easy_init failed") }
        self.easy = easy
        self.configuration = configuration
        self.share = share
        self.state = TransferState(maxBytes: configuration.maxResponseBytes)
        // On failure, deinit runs (every stored property is set) and cleans the handle up.
        try configure()
    }

    deinit {
        // Detaches from the share before the share reference is released.
        curl_easy_cleanup(easy)
    }

    private func configure() throws(CurlError) {
        let c = configuration
        let opaque = Unmanaged.passUnretained(state).toOpaque()
        try set(CURLOPT_NOSIGNAL, 1)  // no SIGALRM-based DNS timeouts: required with threads
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(state.errorBuffer))
        try set(CURLOPT_WRITEFUNCTION, callback: curlWriteCallback)
        try set(CURLOPT_WRITEDATA, pointer: opaque)
        try set(CURLOPT_HEADERFUNCTION, callback: curlHeaderCallback)
        try set(CURLOPT_HEADERDATA, pointer: opaque)

        // HTTPS only, verified, TLS 1.2+ (plain HTTP to loopback for benchmarks, checked per request).
        try set(CURLOPT_PROTOCOLS_STR, string: c.allowsPlainHTTPOnLoopback ? "http,https" : "https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, string: "https")
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        try set(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        if let extra = c.extraCABundlePath {
            let blob = try trustBundle(system: c.systemCABundlePath, extra: extra)
            if let file = TrustBundleFile(bytes: blob) {
                trustFile = file
                try set(CURLOPT_CAINFO, string: file.path)
            } else {
                let code = blob.withUnsafeBytes { cshims_curl_setopt_blob_copy(easy, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }
                try check(code, "CURLOPT_CAINFO_BLOB")
            }
        } else {
            try set(CURLOPT_CAINFO, string: c.systemCABundlePath)
        }
        // No directory lookups: the trust store is exactly the CA file/blob above.
        try set(CURLOPT_CAPATH, string: nil)

        try set(CURLOPT_FOLLOWLOCATION, c.followRedirects ? 1 : 0)
        try set(CURLOPT_MAXREDIRS, c.maxRedirects)
        try set(CURLOPT_ACCEPT_ENCODING, string: "")  // every encoding libcurl can decode
        try set(CURLOPT_USERAGENT, string: c.userAgent)
        try set(CURLOPT_PROXY, string: c.proxy ?? "")  // "" = no proxy, environment ignored
        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(c.connectTimeout))
        try set(CURLOPT_LOW_SPEED_LIMIT, c.lowSpeedBytesPerSecond)
        try set(CURLOPT_LOW_SPEED_TIME, (milliseconds(c.lowSpeedTime) + 999) / 1000)
        try check(cshims_curl_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(c.maxResponseBytes)), "MAXFILESIZE")
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        if let share {
            try set(CURLOPT_SHARE, pointer: share.handle)
        }
    }

    /// Sends a request and returns the response, whatever its status.
    ///
    /// - Throws: ``CurlError`` for transport failures only (DNS, connect, TLS, timeout,
    ///   too large, non-HTTPS URL). The error names method and redacted URL, never headers.
    public func send(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse {
        let label = "\(request.method.rawValue) \(redactedURL(request.url))"
        try HTTPClient.validate(request, label: label)
        if configuration.allowsPlainHTTPOnLoopback, PlainHTTPURL.isPlainHTTP(request.url),
           !PlainHTTPURL.isLoopbackLiteral(request.url) {
            throw CurlError(.protocolNotAllowed, "plain http is allowed to 127.0.0.1 and [::1] only", request: label)
        }
        state.reset()
        // POST/PUT/PATCH always carry a body (Content-Length: 0 at least).
        let body = request.body ?? ([.post, .put, .patch].contains(request.method) ? [] : nil)

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers {
            // "Name;" is curl's syntax for a header with an empty value ("Name:" would remove it).
            let line = header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
            guard let appended = curl_slist_append(headerList, line) else {
                throw CurlError(.other, "curl_slist_append failed", request: label)
            }
            headerList = appended
        }
        if body != nil {
            // No "100-continue" round trip for large bodies.
            guard let appended = curl_slist_append(headerList, "Expect:") else {
                throw CurlError(.other, "curl_slist_append failed", request: label)
            }
            headerList = appended
        }

        try set(CURLOPT_URL, string: request.url)
        try set(CURLOPT_HTTPHEADER, pointer: headerList.map { UnsafeMutableRawPointer($0) })
        try set(CURLOPT_TIMEOUT_MS, milliseconds(request.timeout ?? configuration.requestTimeout))
        // Start from GET so nothing of the previous request's method survives.
        try set(CURLOPT_HTTPGET, 1)
        try set(CURLOPT_CUSTOMREQUEST, string: nil)

        let code: CURLcode
        if let body {
            let outcome = body.withUnsafeBytes { bytes -> Result<CURLcode, CurlError> in
                Result { () throws(CurlError) -> CURLcode in
                    try check(
                        cshims_curl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)), "POSTFIELDSIZE")
                    // libcurl reads the body during perform, while `bytes` is valid; an empty
                    // body still needs a non-NULL pointer (NULL would mean "use a read callback").
                    let pointer = bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? emptyBody
                    try set(CURLOPT_POSTFIELDS, pointer: pointer)
                    if request.method != .post { try set(CURLOPT_CUSTOMREQUEST, string: request.method.rawValue) }
                    let code = curl_easy_perform(easy)
                    _ = cshims_curl_setopt_pointer(easy, CURLOPT_POSTFIELDS, nil)
                    return code
                }
            }
            code = try outcome.get()
        } else {
            if request.method == .head {
                try set(CURLOPT_NOBODY, 1)
            } else if request.method != .get {
                try set(CURLOPT_CUSTOMREQUEST, string: request.method.rawValue)
            }
            code = curl_easy_perform(easy)
        }
        _ = cshims_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, nil)

        var opened = 0
        _ = cshims_curl_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &opened)
        connectionsOpened += opened
        guard code == CURLE_OK else { throw error(for: code, label: label) }

        var status = 0
        _ = cshims_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var version = 0
        _ = cshims_curl_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        return HTTPResponse(
            status: status, headers: state.headers, body: state.takeBody(), timing: timing(),
            connectionsOpened: opened, httpVersion: HTTPClient.versionName(version))
    }

    // MARK: Internals

    private static func validate(_ request: HTTPRequest, label: String) throws(CurlError) {
        let method = request.method.rawValue.utf8
        guard !method.isEmpty, method.count <= 32, method.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw CurlError(.invalidRequest, "invalid method", request: label)
        }
        guard !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw CurlError(.invalidURL, "URL contains whitespace or control characters", request: label)
        }
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(isTokenByte) else {
                throw CurlError(.invalidRequest, "invalid header name", request: label)
            }
            // Header values are never quoted back: they may be credentials.
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw CurlError(.invalidRequest, "header \(header.name) contains a line break", request: label)
            }
        }
        if request.method == .head && request.body != nil {
            throw CurlError(.invalidRequest, "HEAD with a body", request: label)
        }
    }

    private func error(for code: CURLcode, label: String) -> CurlError {
        let message = String(cString: curl_easy_strerror(code))
        let detail = String(cString: state.errorBuffer)
        let kind: CurlError.Code
        switch code {
        case CURLE_WRITE_ERROR where state.abortedTooLarge, CURLE_FILESIZE_EXCEEDED:
            return CurlError(
                .tooLarge, "response larger than \(configuration.maxResponseBytes) bytes (or oversized headers)",
                detail: detail, curlCode: Int(code.rawValue), request: label)
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .couldNotResolveHost
        case CURLE_COULDNT_CONNECT: kind = .couldNotConnect
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_USE_SSL_FAILED:
            kind = .tls
        case CURLE_UNSUPPORTED_PROTOCOL: kind = .protocolNotAllowed
        case CURLE_URL_MALFORMAT: kind = .invalidURL
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
            CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY:
            kind = .connectionLost
        case CURLE_TOO_MANY_REDIRECTS: kind = .tooManyRedirects
        case CURLE_BAD_CONTENT_ENCODING: kind = .badContentEncoding
        default: kind = .other
        }
        return CurlError(kind, message, detail: detail.isEmpty ? nil : detail, curlCode: Int(code.rawValue), request: label)
    }

    private func timing() -> HTTPTiming {
        func info(_ which: CURLINFO) -> Duration {
            var microseconds: curl_off_t = 0
            _ = cshims_curl_getinfo_off(easy, which, &microseconds)
            return .microseconds(microseconds)
        }
        return HTTPTiming(
            total: info(CURLINFO_TOTAL_TIME_T), nameLookup: info(CURLINFO_NAMELOOKUP_TIME_T),
            connect: info(CURLINFO_CONNECT_TIME_T), tlsHandshake: info(CURLINFO_APPCONNECT_TIME_T),
            firstByte: info(CURLINFO_STARTTRANSFER_TIME_T))
    }

    private static func versionName(_ version: Int) -> String? {
        switch version {
        case 1: "1.0"
        case 2: "1.1"
        case 3: "2"
        case 30: "3"
        default: nil
        }
    }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(cshims_curl_setopt_long(easy, option, value), "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, string: String?) throws(CurlError) {
        // libcurl copies string options (since 7.17), so the temporary C string may go.
        let code = string.map { cshims_curl_setopt_string(easy, option, $0) } ?? cshims_curl_setopt_string(easy, option, nil)
        try check(code, "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(CurlError) {
        try check(cshims_curl_setopt_pointer(easy, option, pointer), "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, callback: cshims_curl_data_cb) throws(CurlError) {
        try check(cshims_curl_setopt_data_cb(easy, option, callback), "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws(CurlError) {
        guard code == CURLE_OK else {
            throw CurlError(
                .invalidConfiguration, "\(what): \(String(cString: curl_easy_strerror(code)))", curlCode: Int(code.rawValue))
        }
    }
}

@available(*, unavailable)
extension HTTPClient: Sendable {}

private func isTokenByte(_ byte: UInt8) -> Bool {
    // RFC 9110 tchar
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
        true
    default:
        "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}

/// A stable non-NULL pointer for empty bodies.
nonisolated(unsafe) private let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// Per-client transfer state, reached from libcurl's callbacks through `Unmanaged`.
final class TransferState {
    static let maxHeaderBytes = 256 * 1024
    static let maxHeaderCount = 500

    let maxBytes: Int
    let errorBuffer: UnsafeMutablePointer<CChar>
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var headerBytes = 0
    var abortedTooLarge = false
    /// Size of the previous body: reserved up front for the next one (pages are similar).
    private var capacityHint = 16 * 1024

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
        errorBuffer = .allocate(capacity: 256)  // CURL_ERROR_SIZE
        errorBuffer.initialize(repeating: 0, count: 256)
    }

    deinit { errorBuffer.deallocate() }

    func reset() {
        errorBuffer[0] = 0
        headers.removeAll(keepingCapacity: true)
        headerBytes = 0
        abortedTooLarge = false
        body = []
        body.reserveCapacity(min(capacityHint, maxBytes))
    }

    /// Hands the body out without copying; the next request reserves as much again.
    func takeBody() -> [UInt8] {
        capacityHint = max(16 * 1024, body.count)
        defer { body = [] }
        return body
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard body.count + bytes.count <= maxBytes else {
            abortedTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func header(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        headerBytes += bytes.count
        guard headerBytes <= TransferState.maxHeaderBytes, headers.count < TransferState.maxHeaderCount else {
            abortedTooLarge = true
            return false
        }
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        // (Trimmed as bytes: "\r\n" is one Character in Swift.)
        let line = Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self))
        if line.hasPrefix("HTTP/") {
            // A new response starts (after 1xx, a redirect, or a proxy CONNECT): forget the old headers.
            headers.removeAll(keepingCapacity: true)
            return true
        }
        if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += " " + String(line.trimmedSpacesAndTabs())  // obsolete line folding
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        let name = line[..<colon].trimmedSpacesAndTabs().lowercased()
        let value = String(line[line.index(after: colon)...].trimmedSpacesAndTabs())
        if !name.isEmpty { headers.append((name: name, value: value)) }
        if name == "content-length" { reserveBody(contentLength: value) }
        return true
    }

    /// Room for the whole announced body at once: grown by doubling instead, a megabyte
    /// page is copied again and lands on fresh pages at each growth. A length over the
    /// limit reserves nothing (the transfer is cut at the limit anyway).
    private func reserveBody(contentLength: String) {
        guard let length = Int(contentLength), length > body.capacity, length <= maxBytes else { return }
        body.reserveCapacity(length)
    }

}

private let curlWriteCallback: cshims_curl_data_cb = { pointer, size, count, userdata in
    guard let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard length > 0, let pointer else { return length }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: length)
    return state.append(bytes) ? length : 0  // 0 makes curl abort with CURLE_WRITE_ERROR
}

private let curlHeaderCallback: cshims_curl_data_cb = { pointer, size, count, userdata in
    guard let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard length > 0, let pointer else { return length }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: length)
    return state.header(bytes) ? length : 0
}

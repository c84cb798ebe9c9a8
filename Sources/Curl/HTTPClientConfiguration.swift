/// Settings of an ``HTTPClient``.
///
/// Fixed by design, not configurable: HTTPS only (also for redirects; benchmarks alone may
/// add plain HTTP to loopback, ``allowsPlainHTTPOnLoopback``), peer and host
/// verification on, TLS 1.2 or newer, gzip/deflate accepted, no proxy from the environment.
///
/// Trust: the system bundle (``systemCABundlePath``) plus, if set, ``extraCABundlePath``
/// (the poller fills it from `SIEM_CA_BUNDLE`). Extra CAs are added to the system store,
/// never replace it. Environment variables such as `CURL_CA_BUNDLE`, `SSL_CERT_FILE` or
/// `SSL_CERT_DIR` have no effect: the CA file is always set explicitly and `CURLOPT_CAPATH`
/// is cleared.
public struct HTTPClientConfiguration: Sendable {
    /// Limit for DNS + TCP + TLS setup. Default 10 s.
    public var connectTimeout: Duration = .seconds(10)
    /// Limit for a whole request, connection setup included. Default 60 s.
    public var requestTimeout: Duration = .seconds(60)
    /// A transfer slower than this many bytes per second for ``lowSpeedTime`` is aborted
    /// (as ``CurlError/Code/timeout``). 0 disables. Default 1 B/s, i.e. "stalled".
    public var lowSpeedBytesPerSecond: Int = 1
    /// See ``lowSpeedBytesPerSecond``. Default 30 s.
    public var lowSpeedTime: Duration = .seconds(30)
    /// `User-Agent` header.
    public var userAgent: String = "siem-collector/1.0"
    /// Largest accepted response body after decoding; larger responses fail with
    /// ``CurlError/Code/tooLarge`` and memory stays bounded. Default 64 MiB.
    public var maxResponseBytes: Int = 64 << 20
    /// PEM file with CAs to trust in addition to the system bundle (`SIEM_CA_BUNDLE`).
    public var extraCABundlePath: String?
    /// The system trust store. Default Debian's `/etc/ssl/certs/ca-certificates.crt`.
    public var systemCABundlePath: String = "/etc/ssl/certs/ca-certificates.crt"
    /// Follow redirects (HTTPS targets only). Default false: cloud audit APIs page with
    /// explicit links, and a redirect is more often a misconfiguration than a feature.
    public var followRedirects: Bool = false
    /// Redirect limit when ``followRedirects`` is on.
    public var maxRedirects: Int = 5
    /// An explicit proxy URL (`http://host:port`, CONNECT tunnel). `nil`: no proxy, and
    /// `https_proxy`/`ALL_PROXY` in the environment are ignored.
    public var proxy: String?

    /// Also allow plain `http://` to a loopback IP literal (`127.0.0.1`, `[::1]`), for
    /// benchmarks that read the same plain-HTTP pages as a peer. Not settable outside this
    /// package, and never set by `siem-poller run`: the collector itself speaks HTTPS only.
    /// Redirects stay HTTPS only.
    package var allowsPlainHTTPOnLoopback = false

    /// Creates a configuration with the documented defaults.
    public init() {}

    /// Checks value ranges.
    public func validate() throws(CurlError) {
        guard connectTimeout > .zero, requestTimeout > .zero, lowSpeedTime >= .zero else {
            throw CurlError(.invalidConfiguration, "timeouts must be positive")
        }
        guard lowSpeedBytesPerSecond >= 0, maxResponseBytes > 0, (0...50).contains(maxRedirects) else {
            throw CurlError(.invalidConfiguration, "limits out of range")
        }
        // Bytes, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard !userAgent.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else {
            throw CurlError(.invalidConfiguration, "user agent contains a line break")
        }
    }
}

func milliseconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    let total = seconds.multipliedReportingOverflow(by: 1000)
    if total.overflow { return seconds < 0 ? 0 : Int.max }
    return max(0, Int(total.partialValue + attoseconds / 1_000_000_000_000_000))
}

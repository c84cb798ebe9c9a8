internal import CCurl
internal import CCurlShims
import Glibc

/// State shared between several ``HTTPClient``s on different threads (a `CURLSH` with
/// one mutex per shared data kind): DNS cache and TLS sessions by default, so a second
/// worker skips the DNS lookup and resumes the TLS session instead of a full handshake.
///
/// Thread-safe (the lock callbacks serialize libcurl's access), hence `@unchecked Sendable`.
/// Every client holds a strong reference, so the share outlives its clients.
public final class HTTPClientShare: @unchecked Sendable {
    /// What to share.
    public struct Sharing: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        /// Creates a set from raw bits.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The DNS cache.
        public static let dns = Sharing(rawValue: 1)
        /// TLS session tickets (session resumption on new connections).
        public static let tlsSessions = Sharing(rawValue: 2)
        /// The connection cache. libcurl does not support using one shared connection
        /// cache from several threads at the same time (CURLSHOPT_SHARE(3)); only use it
        /// when all clients of this share run on one thread.
        public static let connections = Sharing(rawValue: 4)
    }

    let handle: UnsafeMutableRawPointer
    private let locks: UnsafeMutablePointer<pthread_mutex_t>
    private static let lockCount = Int(CURL_LOCK_DATA_LAST.rawValue) + 1

    /// Creates a share.
    public init(sharing: Sharing = [.dns, .tlsSessions]) throws(CurlError) {
        curlGlobalInit()
        guard let handle = curl_share_init() else {
            throw CurlError(.other, "curl_share_init failed")
        }
        self.handle = handle
        locks = .allocate(capacity: HTTPClientShare.lockCount)
        for index in 0..<HTTPClientShare.lockCount { pthread_mutex_init(locks + index, nil) }
        var codes = [
            cshims_curl_share_setopt_pointer(handle, CURLSHOPT_USERDATA, UnsafeMutableRawPointer(locks)),
            cshims_curl_share_setopt_lockfunc(handle, curlShareLock),
            cshims_curl_share_setopt_unlockfunc(handle, curlShareUnlock),
        ]
        let kinds: [(Sharing, curl_lock_data)] = [
            (.dns, CURL_LOCK_DATA_DNS), (.tlsSessions, CURL_LOCK_DATA_SSL_SESSION), (.connections, CURL_LOCK_DATA_CONNECT),
        ]
        for (option, data) in kinds where sharing.contains(option) {
            codes.append(cshims_curl_share_setopt_long(handle, CURLSHOPT_SHARE, Int(data.rawValue)))
        }
        if let failed = codes.first(where: { $0 != CURLSHE_OK }) {
            // Every stored property is set, so deinit runs and frees handle and locks.
            throw CurlError(.invalidConfiguration, "curl_share_setopt: \(String(cString: curl_share_strerror(failed)))")
        }
    }

    deinit {
        curl_share_cleanup(handle)
        for index in 0..<HTTPClientShare.lockCount { pthread_mutex_destroy(locks + index) }
        locks.deallocate()
    }
}

private let curlShareLock: @convention(c) (UnsafeMutableRawPointer?, curl_lock_data, curl_lock_access, UnsafeMutableRawPointer?) -> Void = {
    _, data, _, userptr in
    guard let locks = userptr?.assumingMemoryBound(to: pthread_mutex_t.self) else { return }
    pthread_mutex_lock(locks + Int(data.rawValue))
}

private let curlShareUnlock: @convention(c) (UnsafeMutableRawPointer?, curl_lock_data, UnsafeMutableRawPointer?) -> Void = {
    _, data, userptr in
    guard let locks = userptr?.assumingMemoryBound(to: pthread_mutex_t.self) else { return }
    pthread_mutex_unlock(locks + Int(data.rawValue))
}

/// `curl_global_init`, once per process, before any handle (Swift runs a global's
/// initializer exactly once, thread-safely).
private let curlGlobalInitOnce: Bool = {
    curl_global_init(3) == CURLE_OK  // CURL_GLOBAL_DEFAULT (SSL | WIN32)
}()

func curlGlobalInit() { _ = curlGlobalInitOnce }

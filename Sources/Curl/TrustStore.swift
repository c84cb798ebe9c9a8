internal import CCurlShims
import Glibc

/// The combined trust bundle as a file libcurl can name: a sealed in-memory file, open for the
/// client's lifetime, named by `/proc/self/fd/N`.
///
/// Why a file and not `CURLOPT_CAINFO_BLOB`: libcurl keeps the certificate store it builds from
/// a CA *file* for the handle's later connections (`CURLOPT_CA_CACHE_TIMEOUT`), but builds it
/// again from a blob for every new connection. Parsing ~150 PEM certificates per connection was
/// the largest cost of a fleet tick with `SIEM_CA_BUNDLE` set (BENCHMARKS.md, issue #14 part 2).
final class TrustBundleFile {
    let path: String
    private let descriptor: Int32

    /// `nil` when the kernel offers no memfd or /proc is not mounted (the caller falls back to
    /// the blob).
    init?(bytes: [UInt8], name: String = "siem-trust-bundle") {
        let descriptor = bytes.withUnsafeBytes { cshims_sealed_memory_file(name, $0.baseAddress, $0.count) }
        guard descriptor >= 0 else { return nil }
        let path = "/proc/self/fd/\(descriptor)"
        guard access(path, R_OK) == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }
}

/// The system CA bundle followed by the extra PEM file: one blob for `CURLOPT_CAINFO_BLOB`.
func trustBundle(system: String, extra: String) throws(CurlError) -> [UInt8] {
    guard let systemPEM = readSmallFile(system, limit: 32 << 20) else {
        throw CurlError(.invalidConfiguration, "cannot read the system CA bundle \(system)")
    }
    guard let extraPEM = readSmallFile(extra, limit: 8 << 20) else {
        throw CurlError(.invalidConfiguration, "cannot read the extra CA bundle \(extra)")
    }
    let marker = Array("-----BEGIN CERTIFICATE-----".utf8)
    guard extraPEM.firstRange(of: marker) != nil else {
        throw CurlError(.invalidConfiguration, "the extra CA bundle \(extra) holds no PEM certificate")
    }
    var blob = systemPEM
    blob.reserveCapacity(systemPEM.count + extraPEM.count + 1)
    blob.append(UInt8(ascii: "\n"))
    blob += extraPEM
    return blob
}

/// Reads a whole regular file of at most `limit` bytes; `nil` on any failure.
func readSmallFile(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if count == 0 { return result }
        result += chunk[0..<count]
        if result.count > limit { return nil }
    }
}

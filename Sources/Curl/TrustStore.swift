import Glibc

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

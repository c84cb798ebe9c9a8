internal import Glibc

/// Writes a whole response as FastCGI STDOUT records with one `writev`, instead of
/// through libfcgi's 8 KiB stream buffer (one `write` per 8 KiB: five system calls
/// for a 36 KiB source listing). libfcgi still closes the stream and ends the
/// request in `FCGX_Finish_r`; its buffer is empty, so the records stay in order.
enum StdoutRecords {
    private static let version: UInt8 = 1
    private static let typeStdout: UInt8 = 6
    /// Content per record (the protocol allows up to 65535).
    private static let chunk = 32_768

    /// False when the peer is gone or the write failed; the caller just finishes the request.
    static func write(head: [UInt8], body: [UInt8], requestID: Int32, to fd: Int32) -> Bool {
        head.withUnsafeBytes { head in
            body.withUnsafeBytes { body in
                var pieces: [UnsafeRawBufferPointer] = []
                if !head.isEmpty { pieces.append(head) }
                var offset = 0
                while offset < body.count {
                    let end = min(offset + chunk, body.count)
                    pieces.append(UnsafeRawBufferPointer(rebasing: body[offset..<end]))
                    offset = end
                }
                // One 8-byte header per piece, then header/content pairs in a single writev.
                var headers = [UInt8](repeating: 0, count: 8 * pieces.count)
                for (i, piece) in pieces.enumerated() {
                    headers[8 * i] = version
                    headers[8 * i + 1] = typeStdout
                    headers[8 * i + 2] = UInt8(truncatingIfNeeded: requestID >> 8)
                    headers[8 * i + 3] = UInt8(truncatingIfNeeded: requestID)
                    headers[8 * i + 4] = UInt8(truncatingIfNeeded: piece.count >> 8)
                    headers[8 * i + 5] = UInt8(truncatingIfNeeded: piece.count)
                }
                return headers.withUnsafeMutableBytes { headerBytes in
                    var vectors: [iovec] = []
                    vectors.reserveCapacity(2 * pieces.count)
                    for (i, piece) in pieces.enumerated() {
                        vectors.append(iovec(iov_base: headerBytes.baseAddress! + 8 * i, iov_len: 8))
                        vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: piece.baseAddress!), iov_len: piece.count))
                    }
                    return writeAll(&vectors, to: fd)
                }
            }
        }
    }

    /// writev until every byte is out (a blocking socket may still write short).
    private static func writeAll(_ vectors: inout [iovec], to fd: Int32) -> Bool {
        var first = 0
        while first < vectors.count {
            // At most IOV_MAX (1024 on Linux) vectors per call.
            let written = vectors[first...].withUnsafeBufferPointer { writev(fd, $0.baseAddress, Int32(min($0.count, 1024))) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            var remaining = written
            while first < vectors.count, remaining >= vectors[first].iov_len {
                remaining -= vectors[first].iov_len
                first += 1
            }
            if remaining > 0 {
                vectors[first].iov_base += remaining
                vectors[first].iov_len -= remaining
            }
        }
        return true
    }
}

internal import CFastCGI
internal import Glibc
internal import HTTPRouting

/// The CGI/1.1 variables of one FastCGI request (nginx's fastcgi_params).
struct CGIParams {
    private var values: [String: String] = [:]
    private var headers: [String: String] = [:]

    init(_ envp: FCGX_ParamArray?) {
        guard var cursor = envp else { return }
        while let entry = cursor.pointee {
            // Split on the first '=' in place: one String per name and value, no intermediates.
            let pair = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                let name = UnsafeBufferPointer(rebasing: pair[..<equals])
                let value = String(decoding: UnsafeBufferPointer(rebasing: pair[(equals + 1)...]), as: UTF8.self)
                if name.starts(with: Self.headerPrefix) {
                    let header = Self.headerName(UnsafeBufferPointer(rebasing: name.dropFirst(Self.headerPrefix.count)))
                    // A repeated field is one field of the values joined by commas (RFC 9110, 5.3),
                    // never just the last one: two Authorization headers make no valid credential.
                    if let earlier = headers[header] {
                        headers[header] = earlier + ", " + value
                    } else {
                        headers[header] = value
                    }
                } else {
                    values[String(decoding: name, as: UTF8.self)] = value
                }
            }
            cursor += 1
        }
        if let type = values["CONTENT_TYPE"] { headers["content-type"] = type }
        if let length = values["CONTENT_LENGTH"] { headers["content-length"] = length }
    }

    private static let headerPrefix = Array("HTTP_".utf8)

    /// HTTP_X_REQUEST_ID -> x-request-id
    private static func headerName(_ name: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: name.count) { out in
            for (i, byte) in name.enumerated() {
                out[i] = byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : (65...90).contains(byte) ? byte + 32 : byte
            }
            return name.count
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    func request() -> Request {
        // DOCUMENT_URI is the decoded, normalized path (REQUEST_URI keeps the query).
        let path = values["DOCUMENT_URI"] ?? values["SCRIPT_NAME"] ?? "/"
        let requestID = values["REQUEST_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? RequestIDs.next()
        return Request(method: values["REQUEST_METHOD"] ?? "GET", path: path,
                       rawQuery: values["QUERY_STRING"] ?? "", headers: headers,
                       remoteAddress: values["REMOTE_ADDR"] ?? "", requestID: requestID)
    }
}

/// Request ids when nginx did not send one: random prefix + counter.
enum RequestIDs {
    private static let prefix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    nonisolated(unsafe) private static var counter = 0
    static func next() -> String {
        counter &+= 1  // a rare duplicate under races is harmless for an id of this kind
        return "\(prefix)-\(counter)"
    }
}

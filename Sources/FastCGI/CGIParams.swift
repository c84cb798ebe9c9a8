internal import CFastCGI
internal import HTTPRouting

/// The CGI/1.1 variables of one FastCGI request (nginx's fastcgi_params).
struct CGIParams {
    private var values: [String: String] = [:]
    private var headers: [String: String] = [:]

    init(_ envp: FCGX_ParamArray?) {
        guard var cursor = envp else { return }
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            if let equals = pair.firstIndex(of: "=") {
                let name = String(pair[..<equals])
                let value = String(pair[pair.index(after: equals)...])
                if name.hasPrefix("HTTP_") {
                    // HTTP_X_REQUEST_ID -> x-request-id
                    headers[name.dropFirst(5).lowercased().replacingUnderscores()] = value
                } else {
                    values[name] = value
                }
            }
            cursor += 1
        }
        if let type = values["CONTENT_TYPE"] { headers["content-type"] = type }
        if let length = values["CONTENT_LENGTH"] { headers["content-length"] = length }
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

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
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

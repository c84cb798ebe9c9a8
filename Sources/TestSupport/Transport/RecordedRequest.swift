public import Curl

/// A request the code under test sent, kept for assertions.
public struct RecordedRequest: Sendable, CustomStringConvertible {
    public var method: HTTPMethod
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(_ request: HTTPRequest) {
        method = request.method
        url = request.url
        headers = request.headers
        body = request.body
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public var urlWithoutQuery: String { String(url.prefix { $0 != "?" && $0 != "#" }) }

    /// The path, without scheme, host and query.
    public var path: String {
        let rest = urlWithoutQuery.drop { $0 != ":" }.dropFirst("://".count)
        let path = rest.drop { $0 != "/" }
        return path.isEmpty ? "/" : String(path)
    }

    /// The decoded value of the first query item `name` (`+` stays `+`: these are URLs, not forms).
    public func queryItem(_ name: String) -> String? {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if percentDecoded(parts[0]) == name { return parts.count > 1 ? percentDecoded(parts[1]) : "" }
        }
        return nil
    }

    public var bodyText: String { body.map { String(decoding: $0, as: UTF8.self) } ?? "" }

    /// `GET https://host/path` without the query, which may carry tokens.
    public var description: String { "\(method) \(urlWithoutQuery)" }

    private func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

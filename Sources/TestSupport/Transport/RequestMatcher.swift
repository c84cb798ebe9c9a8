public import Curl

/// Which request a scripted exchange answers: the method, the URL's path (or the whole URL
/// without its query, when `path` starts with `https://`), and query items that must be present
/// with these values (others may be there too), and optionally a text the body must contain.
public struct RequestMatcher: Sendable, CustomStringConvertible {
    public var method: HTTPMethod
    public var path: String
    public var query: [(name: String, value: String)]
    public var bodyContains: String?

    public init(_ method: HTTPMethod, _ path: String, query: [(name: String, value: String)] = [],
                bodyContains: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.bodyContains = bodyContains
    }

    public static func get(_ path: String, query: [(name: String, value: String)] = []) -> RequestMatcher {
        RequestMatcher(.get, path, query: query)
    }

    public static func post(_ path: String, bodyContains: String? = nil) -> RequestMatcher {
        RequestMatcher(.post, path, bodyContains: bodyContains)
    }

    /// Why `request` is not the one expected, or nil when it matches.
    public func mismatch(_ request: RecordedRequest) -> String? {
        if request.method != method { return "method \(request.method), expected \(method)" }
        let actual = path.hasPrefix("https://") ? request.urlWithoutQuery : request.path
        if actual != path { return "path \(actual), expected \(path)" }
        for item in query where request.queryItem(item.name) != item.value {
            return "query \(item.name)=\(request.queryItem(item.name) ?? "(absent)"), expected \(item.value)"
        }
        if let bodyContains, !request.bodyText.contains(bodyContains) {
            return "body lacks \(bodyContains)"
        }
        return nil
    }

    public var description: String {
        let items = query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        return "\(method) \(path)\(items.isEmpty ? "" : "?\(items)")\(bodyContains.map { " with body containing \($0)" } ?? "")"
    }
}

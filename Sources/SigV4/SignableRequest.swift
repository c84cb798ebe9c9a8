/// The parts of an HTTP request that SigV4 signs, as they will be sent.
public struct SignableRequest: Sendable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The path exactly as it goes on the wire (already percent-encoded where needed), e.g. `/`.
    public var path: String
    /// The raw query string without the leading `?`; empty when there is none.
    public var query: String
    /// Header fields in wire order. Must include `Host`. Names are case-insensitive;
    /// repeated names are allowed and are signed as one comma-joined value, in order.
    public var headers: [(name: String, value: String)]
    /// The request body (hashed into the signature).
    public var body: [UInt8]

    /// Creates a request to sign.
    public init(
        method: String,
        path: String,
        query: String = "",
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The values of every header field named `name` (case-insensitive), in order.
    public func values(forHeader name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// Replaces all fields named `name` with one field, keeping the first one's position
    /// (or appending when there was none).
    public mutating func setHeader(_ name: String, _ value: String) {
        let lowered = name.lowercased()
        if let first = headers.firstIndex(where: { $0.name.lowercased() == lowered }) {
            headers[first] = (name, value)
            var index = headers.index(after: first)
            while index < headers.endIndex {
                if headers[index].name.lowercased() == lowered {
                    headers.remove(at: index)
                } else {
                    index = headers.index(after: index)
                }
            }
        } else {
            headers.append((name, value))
        }
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func removeHeader(_ name: String) {
        let lowered = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lowered }
    }
}

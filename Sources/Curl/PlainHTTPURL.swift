/// The checks behind ``HTTPClientConfiguration/allowsPlainHTTPOnLoopback``: a plain `http://`
/// URL passes only when its authority is exactly a loopback IP literal and an optional port
/// (no user info, no name that DNS could answer otherwise).
enum PlainHTTPURL {
    static func isPlainHTTP(_ url: String) -> Bool {
        url.utf8.count >= 7 && url.utf8.prefix(7).map { $0 | 0x20 }.elementsEqual("http://".utf8)
    }

    static func isLoopbackLiteral(_ url: String) -> Bool {
        let authority = String(decoding: url.utf8.dropFirst(7).prefix { !"/?#".utf8.contains($0) }, as: UTF8.self)
        for host in ["127.0.0.1", "[::1]"] {
            if authority == host { return true }
            guard authority.hasPrefix(host + ":") else { continue }
            let port = authority.utf8.dropFirst(host.utf8.count + 1)
            return (1...5).contains(port.count) && port.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
        return false
    }
}

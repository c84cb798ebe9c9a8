internal import Curl
internal import SourceModel

/// Where the next page is: the `Link` header's `rel="next"` (RFC 8288) or a URL from the
/// body, made absolute against the API's origin and kept on that origin, so a page cannot
/// send the source's credentials to another host.
enum ConnectorPaging {
    /// The `rel="next"` target of `Link` headers, e.g. `<https://acme.okta.com/api/v1/logs?after=…>; rel="next"`.
    static func nextLink(_ headers: [String]) -> String? {
        for header in headers {
            for link in header.split(separator: ",") {
                let parts = link.split(separator: ";").map { String($0).trimmingCharacters(in: " ") }
                guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
                let isNext = parts.dropFirst().contains { parameter in
                    let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: " ") }
                    guard pair.count == 2, pair[0].lowercased() == "rel" else { return false }
                    return pair[1].trimmingCharacters(in: "\"").split(separator: " ").contains("next")
                }
                if isNext { return String(target.dropFirst().dropLast()) }
            }
        }
        return nil
    }

    /// `next` made absolute against `current`, or an error when it leaves `current`'s origin.
    static func resolve(_ next: String, against current: String, what: String) throws(ProviderError) -> String {
        guard let origin = origin(of: current) else { throw ProviderError(.configuration, "\(what): not an https URL") }
        let absolute = next.hasPrefix("/") && !next.hasPrefix("//") ? origin + next : next
        guard let nextOrigin = Self.origin(of: absolute), nextOrigin == origin else {
            throw ProviderError(.malformedResponse, "\(what): the next page's URL leaves the API's host; not followed")
        }
        return absolute
    }

    /// `https://host:port`, lower-cased, from an https URL without user information.
    static func origin(of url: String) -> String? {
        guard let authority = URLAuthority(url) else { return nil }
        return "https://\(authority.host):\(authority.port)".replacingOccurrences443
    }
}

private extension String {
    /// `https://host:443` and `https://host` are the same origin.
    var replacingOccurrences443: String { hasSuffix(":443") ? String(dropLast(4)) : self }
}

internal import Catalog
internal import Curl
internal import JSONBytes
internal import SourceModel
internal import TextBasics

/// Where the next page is: the `Link` header's `rel="next"` (RFC 8288) or a URL from the
/// body, made absolute against the API's origin and kept on that origin, so a page cannot
/// send the source's credentials to another host.
enum ConnectorPaging {
    /// What to request after a page.
    enum Step: Equatable {
        case end
        /// The next page's absolute URL, on the API's origin.
        case url(String)
        /// The stream's request again with this query parameter (a page token or an offset);
        /// `checked`: a value seen before in the window means the API is looping.
        case parameter(name: String, value: String, checked: Bool)
    }

    /// The step after a page of `records` records (`read` so far in this window).
    static func next(_ paging: ConnectorDeclaration.Paging, page: RawJSON, linkHeaders: [String], current: String,
                     records: Int, read: Int, pageSize: Int, what: String) throws(ProviderError) -> Step {
        switch paging {
        case .linkHeader:
            // Okta's Link header always offers a next page: an empty one means the window is read.
            guard records > 0, let link = nextLink(linkHeaders) else { return .end }
            return .url(try resolve(link, against: current, what: what))
        case .nextURL(let path):
            guard let link = path.value(in: page)?.stringValue, !link.isEmpty else { return .end }
            return .url(try resolve(link, against: current, what: what))
        case .nextToken(let path, let parameter):
            guard let token = path.value(in: page)?.stringValue, !token.isEmpty else { return .end }
            return .parameter(name: parameter, value: token, checked: true)
        case .offset(let parameter):
            // A short page is the last one.
            return records < pageSize ? .end : .parameter(name: parameter, value: String(read), checked: false)
        case .none:
            return .end
        }
    }

    /// The `rel="next"` target of `Link` headers, e.g. `<https://acme.okta.com/api/v1/logs?after=…>; rel="next"`.
    static func nextLink(_ headers: [String]) -> String? {
        for header in headers {
            for link in header.split(separator: ",") {
                let parts = link.split(separator: ";").map { $0.trimmed(" ") }
                guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
                let isNext = parts.dropFirst().contains { parameter in
                    let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmed(" ") }
                    guard pair.count == 2, pair[0].lowercased() == "rel" else { return false }
                    return pair[1].trimmed("\"").split(separator: " ").contains("next")
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

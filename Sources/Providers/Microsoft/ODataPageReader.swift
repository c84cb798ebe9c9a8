internal import Curl
package import JSONBytes
internal import SourceModel
internal import UTCTime
internal import TextBasics

/// How one Graph (or Azure Resource Manager) collection is read: its path, the
/// time property its cursor follows, and how a record becomes a `ProviderEvent`.
package struct GraphCollection: Sendable {
    package var stream: StreamSpec
    var path: String
    var timeProperty: String
    /// The `$top` cap; nil for APIs that choose their own page size (ARM).
    var maxPageSize: Int?
    /// How the window is written into `$filter` (the operators the API documents).
    var timeFilter: GraphTimeFilter = .inclusive
    /// Fixed query items, e.g. ARM's `api-version`.
    var extraQuery: [(String, String)] = []
    /// Builds the event, or nil for a record without an id or a time (counted, skipped).
    var transform: @Sendable (RawJSON, StreamSpec) -> ProviderEvent?
}

/// The `$filter` that selects one time window, in the form each API accepts.
enum GraphTimeFilter: Sendable {
    /// `p ge start and p le end` with bare DateTimeOffset literals (directoryAudits, signIns, riskDetections).
    case inclusive
    /// `p gt start and p lt end` for lists whose docs name only `gt`/`lt` (provisioning). The
    /// bounds move out by Graph's 100 ns tick, so the window stays exactly inclusive.
    case exclusive
    /// `p ge 'start' and p le 'end'`: the Azure Monitor activity log wants quoted times.
    case quoted

    func expression(_ property: String, _ window: TimeWindow) -> String {
        switch self {
        case .inclusive:
            "\(property) ge \(window.start.format(fractionDigits: 0)) and \(property) le \(window.end.format(fractionDigits: 0))"
        case .exclusive:
            // start - 1 µs + 900 ns = start - 100 ns; end + 100 ns (7 fraction digits, as Graph stores them).
            "\(property) gt \(Self.sevenDigits(window.start.adding(microseconds: -1), lastDigit: "9")) and \(property) lt \(Self.sevenDigits(window.end, lastDigit: "1"))"
        case .quoted:
            "\(property) ge '\(window.start.format(fractionDigits: 6))' and \(property) le '\(window.end.format(fractionDigits: 6))'"
        }
    }

    private static func sevenDigits(_ time: UTCTimestamp, lastDigit: Character) -> String {
        var text = time.format(fractionDigits: 6)
        text.removeLast()  // "Z"
        return text + String(lastDigit) + "Z"
    }
}

extension UTCTimestamp {
    fileprivate func adding(microseconds: Int64) -> UTCTimestamp { UTCTimestamp(microseconds: self.microseconds + microseconds) }
}

/// Reads a Graph collection over one time window: `$filter` on the time
/// property, `$top`, and `@odata.nextLink` followed exactly as returned. One
/// page is in memory at a time. A 401 refreshes the token once.
struct ODataPageReader {
    let identity: MicrosoftIdentity
    let context: ProviderContext
    /// The token's resource (`{resource}/.default`): Graph, or ARM for the activity log.
    let resource: String
    let baseURL: String
    let pageSize: Int?
    let pacing: ProviderHTTP.Pacing
    /// Graph's identity and access reports allow about 5 requests per 10 s per app per tenant.
    static let budget = RateLimiter.Budget(requests: 5, perSeconds: 10)

    /// `pacing` defaults to Graph's budget shared by every source of the app in the tenant.
    init(identity: MicrosoftIdentity, context: ProviderContext, resource: String, baseURL: String,
         pageSize: Int?, pacing: ProviderHTTP.Pacing? = nil) {
        self.identity = identity
        self.context = context
        self.resource = resource
        self.baseURL = baseURL
        self.pageSize = pageSize
        self.pacing = pacing ?? ProviderHTTP.Pacing(key: identity.pacingKey, budget: Self.budget)
    }

    /// The first page's URL: the collection's path, its fixed query, `$filter` and `$top`.
    func firstURL(_ collection: GraphCollection, window: TimeWindow) -> String {
        let filter = collection.timeFilter.expression(collection.timeProperty, window)
        var url = "\(baseURL)\(collection.path)?"
        for (name, value) in collection.extraQuery { url += "\(URLEncoding.percentEncode(name))=\(URLEncoding.percentEncode(value))&" }
        url += "$filter=\(URLEncoding.percentEncode(filter))"
        if let maxPageSize = collection.maxPageSize { url += "&$top=\(min(pageSize ?? maxPageSize, maxPageSize))" }
        // Oldest first (the lists that document $orderby), so progress can be committed per page.
        if collection.stream.order == .oldestFirst { url += "&$orderby=\(URLEncoding.percentEncode("\(collection.timeProperty) asc"))" }
        return url
    }

    func read(_ collection: GraphCollection, window: TimeWindow, wantsNextPage: () -> Bool,
              sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        let first = firstURL(collection, window: window)
        // Links are followed with the bearer token: they must stay on the host we started on.
        let origin = URLAuthority(first)
        let name = collection.stream.name
        var links = RepeatedPageToken(what: "\(name): nextLink")
        var pages = 0
        try PagedRead.run(from: first, readAhead: context.http.readsAhead, wantsNextPage: wantsNextPage, fetch: { (url) throws(ProviderError) -> FetchedPage<String> in
            pages += 1
            // A nextLink that never ends must not hold a run forever.
            guard pages <= 100_000 else { throw ProviderError(.malformedResponse, "\(name): more than 100000 pages in one window") }
            let body = try fetch(url, pacing: pacing, what: name)
            let page: RawJSON
            do throws(JSONError) {
                page = try RawJSON(validating: body)
            } catch {
                throw ProviderError(.malformedResponse, "\(name): response is not valid JSON (\(error.description))")
            }
            let top = GraphPage.selector.select(in: page)
            guard let values = top[0], values.kind == .array else {
                throw ProviderError(.malformedResponse, "\(name): response has no \"value\" array")
            }
            let next = top[1]?.stringValue ?? top[2]?.stringValue
            var stop: ProviderError?
            if let link = next {
                if !link.hasPrefix("https://") {
                    stop = ProviderError(.malformedResponse, "\(name): nextLink is not an https URL")
                } else if URLAuthority(link) != origin {
                    stop = ProviderError(.malformedResponse, "\(name): nextLink leads to another host than the endpoint's")
                } else {
                    do throws(ProviderError) { try links.check(link) } catch { stop = error }
                }
            }
            return FetchedPage(next: next, stop: stop) { [transform = collection.transform, stream = collection.stream] in
                var events: [ProviderEvent] = []
                var dropped = 0
                for record in values.elements {
                    if let event = transform(record, stream) { events.append(event) } else { dropped += 1 }
                }
                return EventPage(events: events, dropped: dropped)
            }
        }, sink: sink)
    }

    private func fetch(_ url: String, pacing: ProviderHTTP.Pacing, what: String) throws(ProviderError) -> [UInt8] {
        var refreshed = false
        while true {
            let token = try identity.token(resource: resource, context: context)
            let request = HTTPRequest(url: url, headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")])
            let response = try context.http.send(request, pacing: pacing, what: what)
            switch response.status {
            case 200:
                return response.body
            case 401 where !refreshed:
                // Expired or revoked mid-run: one fresh token, then give up.
                identity.invalidate(resource: resource, context: context)
                refreshed = true
            default:
                throw GraphErrors.error(for: response, what: what)
            }
        }
    }
}

package enum GraphPage {
    /// `value`, and the next page's link in Graph (`@odata.nextLink`) or ARM (`nextLink`) style.
    package static let selector = JSONPathSelector([["value"], ["@odata.nextLink"], ["nextLink"]])
}

/// Turns a Graph / ARM error response into the operator's categories.
enum GraphErrors {
    static func error(for response: HTTPResponse, what: String) -> ProviderError {
        let body = try? RawJSON(validating: response.body)
        let code = body?[path: ["error", "code"]]?.stringValue ?? ""
        let message = String((body?[path: ["error", "message"]]?.stringValue ?? "").prefix(300))
        let detail = String("\(what): HTTP \(response.status) \(code) \(message)".trimmed(" "))
        switch response.status {
        case 401: return ProviderError(.badCredentials, detail)
        case 403 where code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant":
            return ProviderError(.missingLicence, detail)
        case 403: return ProviderError(.missingPermission, detail)
        case 400, 404: return ProviderError(.configuration, detail)
        default: return ProviderError(.serverError, detail)
        }
    }
}

internal import Curl
internal import UTCTime
internal import JSONBytes

/// Reads Cloud Logging over one time window: `POST /v2/entries:list` with the
/// window and the source's filter, oldest first, following `nextPageToken`. One
/// page is in memory at a time; a 401 refreshes the token once.
struct CloudLoggingReader {
    let account: GCPServiceAccount
    let context: ProviderContext
    /// Base URL without a trailing slash, e.g. `https://logging.googleapis.com`.
    let endpoint: String
    let resourceNames: [String]
    /// The source's own filter, ANDed with the window; nil for none.
    let filter: String?
    let pageSize: Int

    /// entries.list allows 60 read requests per minute per project. The quota is
    /// charged to the project of the credentials, so that is the pacing key.
    static let budget = RateLimiter.Budget(requests: 60, perSeconds: 60)
    static let maxPageSize = 1000
    /// Cloud Logging sends no Retry-After with RESOURCE_EXHAUSTED and its quota is per
    /// minute, longer than the shared retries last: wait this long once or twice more.
    static let quotaCooldownSeconds: [Double] = [10, 20]

    var pacing: ProviderHTTP.Pacing { ProviderHTTP.Pacing(key: "gcp|\(account.projectID)", budget: Self.budget) }

    static let pageSelector = JSONPathSelector([["entries"], ["nextPageToken"]])

    func read(_ stream: StreamSpec, window: TimeWindow, wantsNextPage: () -> Bool,
              sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        var tokens = RepeatedPageToken(what: "\(stream.name): nextPageToken")
        var pages = 0
        // The cursor is the page token; the first page has none.
        try PagedRead.run(from: String?.none, readAhead: context.http.readsAhead, wantsNextPage: wantsNextPage, fetch: { (pageToken) throws(ProviderError) -> FetchedPage<String?> in
            pages += 1
            // A token that never ends must not hold a run forever.
            guard pages <= 100_000 else { throw ProviderError(.malformedResponse, "\(stream.name): more than 100000 pages in one window") }
            let body = try fetch(requestBody(window: window, pageToken: pageToken), what: stream.name)
            let page: RawJSON
            do throws(JSONError) {
                page = try RawJSON(validating: body)
            } catch {
                throw ProviderError(.malformedResponse, "\(stream.name): response is not valid JSON (\(error.description))")
            }
            guard page.kind == .object else { throw ProviderError(.malformedResponse, "\(stream.name): response is not a JSON object") }
            let top = Self.pageSelector.select(in: page)
            // proto3 JSON leaves out an empty `entries`; a page may also be empty with a
            // token when the search ran out of time ("continue with this token").
            if let entries = top[0], entries.kind != .array {
                throw ProviderError(.malformedResponse, "\(stream.name): \"entries\" is not an array")
            }
            let next = top[1]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            var stop: ProviderError?
            if let next {
                do throws(ProviderError) { try tokens.check(next) } catch { stop = error }
            }
            return FetchedPage(next: next.map { Optional($0) }, stop: stop) { [entries = top[0]] in
                var events: [ProviderEvent] = []
                var dropped = 0
                for record in entries?.elements ?? RawJSON.Elements() {
                    if let event = CloudAuditTransform.logEntry(record, stream) { events.append(event) } else { dropped += 1 }
                }
                return EventPage(events: events, dropped: dropped)
            }
        }, sink: sink)
    }

    /// `{"resourceNames":[…],"filter":"timestamp >= \"…\" AND timestamp <= \"…\" AND (…)","orderBy":"timestamp asc","pageSize":N,"pageToken":…}`.
    /// The page token is only valid with the same other fields, which is why the
    /// window is written identically on every page.
    func requestBody(window: TimeWindow, pageToken: String?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 512)
        writer.beginObject()
        writer.key("resourceNames")
        writer.beginArray()
        for name in resourceNames { writer.string(name) }
        writer.endArray()
        writer.key("filter"); writer.string(Self.windowFilter(window, filter))
        writer.key("orderBy"); writer.string("timestamp asc")
        writer.key("pageSize"); writer.int(pageSize)
        if let pageToken { writer.key("pageToken"); writer.string(pageToken) }
        writer.endObject()
        return writer.bytes
    }

    /// Both bounds inclusive, in RFC 3339 UTC; the source's filter in parentheses so
    /// an `OR` inside it cannot widen the window.
    static func windowFilter(_ window: TimeWindow, _ filter: String?) -> String {
        let range = "timestamp >= \"\(window.start.rfc3339)\" AND timestamp <= \"\(window.end.rfc3339)\""
        guard let filter, !filter.allSatisfy(\.isWhitespace) else { return range }
        return "\(range) AND (\(filter))"
    }

    private func fetch(_ body: [UInt8], what: String) throws(ProviderError) -> [UInt8] {
        var refreshed = false
        var cooldowns = 0
        while true {
            let token = try account.token(context: context)
            let request = HTTPRequest(method: .post, url: "\(endpoint)/v2/entries:list", headers: [
                ("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"), ("Accept", "application/json"),
            ], body: body)
            let response: HTTPResponse
            do {
                response = try context.http.send(request, pacing: pacing, what: what)
            } catch {
                // Only for throttling without a Retry-After: a Retry-After the policy would not wait
                // for has paused the budget, and ends this source's poll as throttled.
                guard error.kind == .throttled, context.http.pausedSeconds(pacing) == 0,
                      cooldowns < Self.quotaCooldownSeconds.count,
                      context.http.secondsLeft > Self.quotaCooldownSeconds[cooldowns] + 5
                else { throw error }
                context.http.sleep(seconds: Self.quotaCooldownSeconds[cooldowns])
                cooldowns += 1
                continue
            }
            switch response.status {
            case 200:
                return response.body
            case 401 where !refreshed:
                // Expired or revoked mid-run: one fresh token, then give up.
                account.invalidate(context: context)
                refreshed = true
            default:
                throw GoogleErrors.error(for: response, what: what)
            }
        }
    }
}

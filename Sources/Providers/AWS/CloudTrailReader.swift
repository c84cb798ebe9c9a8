internal import Curl
internal import Foundation
internal import JSONBytes
internal import Logging
internal import UTCTime

/// Reads LookupEvents over one time window, following `NextToken` until the last
/// page. Pages come newest first, so what is acknowledged is the window's top: the stream
/// poller commits that and the next read covers the rest below it. One page is in memory at a time.
struct CloudTrailReader {
    let auth: CloudTrailAuth
    let context: ProviderContext
    let pacing: ProviderHTTP.Pacing
    let pageSize: Int
    let backoff: ThrottleBackoff
    /// The signing clock (the provider passes the wall clock).
    let now: @Sendable () -> Date

    /// "The rate of lookup requests is limited to two per second per account per Region" (LookupEvents API reference).
    static let budget = RateLimiter.Budget(requests: 2, perSeconds: 1)
    static let what = "LookupEvents"

    func read(window: TimeWindow, stream: StreamSpec, wantsNextPage: () -> Bool,
              sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        var tokens = RepeatedPageToken(what: "\(Self.what): NextToken")
        var pages = 0
        // The cursor is the NextToken; the first page has none.
        try PagedRead.run(from: String?.none, readAhead: context.http.readsAhead, wantsNextPage: wantsNextPage, fetch: { (token) throws(ProviderError) -> FetchedPage<String?> in
            pages += 1
            // A NextToken that never ends must not hold a run forever.
            guard pages <= 100_000 else {
                throw ProviderError(.malformedResponse, "\(Self.what): more than 100000 pages in one window")
            }
            let body = LookupEvents.body(window: window, maxResults: pageSize, nextToken: token)
            let page = try LookupEvents.Page(parsing: fetch(body))
            var stop: ProviderError?
            if let next = page.nextToken {
                if next == token {
                    stop = ProviderError(.malformedResponse, "\(Self.what): NextToken did not change between pages")
                } else {
                    do throws(ProviderError) { try tokens.check(next) } catch { stop = error }
                }
            }
            return FetchedPage(next: page.nextToken.map { Optional($0) }, stop: stop) { [records = page.events] in
                var events: [ProviderEvent] = []
                var dropped = 0
                for record in records {
                    guard let event = CloudTrailTransform.event(record, stream) else { dropped += 1; continue }
                    if Self.isInside(event.time, window) { events.append(event) }
                }
                return EventPage(events: events, dropped: dropped)
            }
        }, sink: sink)
    }

    /// The request asks for whole seconds around the window; what lies outside it is dropped.
    /// An event just before the window's start belongs to the previous poll, and the checkpoint
    /// only remembers delivered ids from the start on: let it through and it is delivered twice.
    static func isInside(_ time: UTCTimestamp, _ window: TimeWindow) -> Bool {
        time >= window.start && time <= window.end
    }

    /// One call: 200 → the body; `ThrottlingException` → wait and re-sign; anything else → the error.
    private func fetch(_ body: [UInt8]) throws(ProviderError) -> [UInt8] {
        var throttles = 0
        while true {
            let request = auth.request(target: LookupEvents.target, body: body, date: now())
            let response = try context.http.send(request, pacing: pacing, what: Self.what)
            if response.status == 200 { return response.body }
            let error = AWSErrorResponse(response, redacting: auth.secrets)
            guard error.isThrottling else { throw error.providerError(what: Self.what) }
            throttles += 1
            let wait = backoff.delay(afterThrottle: throttles)
            guard throttles <= backoff.maxRetries else {
                throw ProviderError(.throttled, "\(Self.what): still throttled after \(backoff.maxRetries) retries (\(error.code))")
            }
            guard wait < context.http.secondsLeft else {
                throw ProviderError(.throttled, "\(Self.what): throttled (\(error.code)); no time left in this run to retry")
            }
            context.logger.info("provider throttled", metadata: [
                "error.code": "\(error.code)", "retry": "\(throttles)", "wait_ms": "\(Int(wait * 1000))",
            ])
            // The whole account and region is throttled, not this source: every source of the
            // run that shares the budget waits too (the next send blocks until the pause ends).
            context.http.pause(pacing, seconds: wait)
        }
    }
}

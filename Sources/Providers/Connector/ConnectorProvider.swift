public import Catalog
internal import Crypto
internal import Curl
internal import JSONBytes
internal import UTCTime
internal import TextBasics

/// Polls a platform declared in `connectors/`: one provider for every declaration. It reads a
/// window page by page with the declared request, paging and mapping, and shares the built-in
/// providers' HTTP client, pacing, retries, token cache, and cursor rules.
public final class ConnectorProvider: CloudProvider {
    public let streams: [StreamSpec]
    private let declaration: ConnectorDeclaration
    private let values: ConnectorValues
    private let authenticator: ConnectorAuthenticator
    private let pacing: ProviderHTTP.Pacing?
    private let readers: [String: ConnectorRecords]

    /// Most pages of one window: an API that never stops paging must not hold a run forever.
    static let maxPages = 100_000
    /// Extra attempts for answers the declaration calls throttled or retryable but HTTP does not.
    static let maxDeclaredRetries = 4

    public init(context: ProviderContext, declaration: ConnectorDeclaration) throws(ProviderError) {
        self.declaration = declaration
        values = ConnectorValues(declaration: declaration, context: context)
        authenticator = try ConnectorAuthenticator(declaration: declaration, values: values)
        if let declared = declaration.pacing {
            // The key names a credential (e.g. an API token): hashed, so no secret sits in memory tables or logs.
            let key = try values.render(declared.key)
            let digest = SHA256.hash(data: Array("\(declaration.platform)|\(key)".utf8)).prefix(16).map { String($0, radix: 16) }.joined()
            pacing = ProviderHTTP.Pacing(key: "connector|\(declaration.platform)|\(digest)",
                                         budget: RateLimiter.Budget(requests: declared.requests, perSeconds: Double(declared.perSeconds)))
        } else {
            pacing = nil
        }
        var readers: [String: ConnectorRecords] = [:]
        for stream in declaration.streams { readers[stream.name] = ConnectorRecords(stream) }
        self.readers = readers
        let all = declaration.streams.map { stream in
            StreamSpec(name: stream.name, logType: stream.logType, defaultOverlapSeconds: Int64(stream.defaultOverlapMinutes) * 60,
                       order: stream.oldestFirst ? .oldestFirst : .unspecified,
                       startResolutionMicroseconds: stream.request.timeFormat.resolutionMicroseconds)
        }
        streams = Self.selectedStreams(all, settings: context.settings)
    }

    public func read(_ stream: StreamSpec, window: TimeWindow, wantsNextPage: () -> Bool,
                     sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        guard let reader = readers[stream.name] else { throw ProviderError(.configuration, "unknown stream \(stream.name)") }
        let declared = reader.stream
        let pageSize = min(max(values.context.settings["page_size"]?.intValue ?? declared.maxPageSize, 1), declared.maxPageSize)
        let request = ConnectorValues.Request(window: window, format: declared.request.timeFormat, pageSize: pageSize)
        let first = try url(declared, request: request, extra: [])
        var repeated = RepeatedPageToken(what: "\(stream.name): next page")
        var repeatedOffset = RepeatedOffsetPage(what: stream.name)
        var read = 0
        var pages = 0
        try PagedRead.run(from: first, readAhead: values.context.http.readsAhead, wantsNextPage: wantsNextPage, fetch: { (url) throws(ProviderError) -> FetchedPage<String> in
            pages += 1
            guard pages <= Self.maxPages else {
                throw ProviderError(.malformedResponse, "\(stream.name): more than \(Self.maxPages) pages in one window")
            }
            let response = try fetch(url, declared: declared, request: request, what: stream.name)
            let page: RawJSON
            do throws(JSONError) {
                page = try RawJSON(validating: response.body)
            } catch {
                throw ProviderError(.malformedResponse, "\(stream.name): response is not valid JSON (\(error.description))")
            }
            guard let records = reader.records(in: page) else {
                throw ProviderError(.malformedResponse, "\(stream.name): \(declared.records) is not an array")
            }
            var events: [ProviderEvent] = []
            var dropped = 0
            var count = 0
            for record in records {
                count += 1
                if let event = reader.event(record) { events.append(event) } else { dropped += 1 }
            }
            read += count
            var next: String?
            var stop: ProviderError?
            do throws(ProviderError) {
                let step = try ConnectorPaging.next(declared.paging, page: page, linkHeaders: response.headers(named: "link"),
                                                    current: url, records: count, read: read, pageSize: pageSize, what: stream.name)
                switch step {
                case .end:
                    break
                case .url(let link):
                    try repeated.check(link)
                    next = link
                case .parameter(let name, let value, let checked):
                    if checked { try repeated.check(value) } else { try repeatedOffset.check(ids: events.map(\.id)) }
                    next = try self.url(declared, request: request, extra: [(name, value)])
                }
            } catch {
                stop = error
            }
            return FetchedPage(page: EventPage(events: events, dropped: dropped), next: next, stop: stop)
        }, sink: sink)
    }

    /// The stream's URL with its query; `extra` replaces or adds parameters (a page token).
    private func url(_ stream: ConnectorDeclaration.Stream, request: ConnectorValues.Request,
                     extra: [(String, String)]) throws(ProviderError) -> String {
        var query: [(String, String)] = []
        for item in stream.request.query where !extra.contains(where: { $0.0 == item.name }) {
            query.append((item.name, try values.render(item.value, request: request)))
        }
        return URLEncoding.url(try values.render(stream.request.url, request: request), appendingQuery: query + extra)
    }

    /// One page: signed, paced, retried; a 401 refreshes a token once; other failures are
    /// mapped by the declaration's error rules.
    private func fetch(_ url: String, declared: ConnectorDeclaration.Stream, request: ConnectorValues.Request,
                       what: String) throws(ProviderError) -> HTTPResponse {
        var refreshed = false
        var retries = 0
        let http = values.context.http
        while true {
            var headers = try authenticator.headers()
            headers.append(("Accept", "application/json"))
            for header in declared.request.headers { headers.append((header.name, try values.render(header.value, request: request))) }
            let response = try http.send(HTTPRequest(url: url, headers: headers), pacing: pacing, what: what,
                                         retryAfter: { [declaration] in Self.resetSeconds($0, declaration.pacing) })
            let body = try? RawJSON(validating: response.body)
            let refused = declared.okPath.flatMap { path in body.flatMap { path.value(in: $0) } }?.boolValue == false
            if response.status == 200 && !refused {
                pauseIfSpent(response)
                return response
            }
            let error = ConnectorErrors.error(status: response.status, body: body, rules: declaration.errors, what: what)
            if error.kind == .badCredentials, response.status == 401, authenticator.refreshes, !refreshed {
                // Expired or revoked mid-run: one fresh token, then give up.
                authenticator.invalidate()
                refreshed = true
                continue
            }
            if (error.kind == .throttled || error.kind == .serverError), retries < Self.maxDeclaredRetries {
                retries += 1
                let wait = RetryPolicy.retryAfterSeconds(response.header(named: "retry-after"))
                    ?? Self.resetSeconds(response, declaration.pacing) ?? Double(1 << retries)
                // The API's wait holds for every source sharing the budget, whether or not this one waits;
                // like a 429's Retry-After, one past the policy's longest ends this source's poll.
                if let pacing { http.pause(pacing, seconds: wait) }
                guard wait <= http.maxRetryAfterSeconds, http.secondsLeft > wait + 5 else { throw error }
                http.sleep(seconds: wait)
                continue
            }
            throw error
        }
    }

    /// Seconds until the API's rate-limit window resets, from the declared header.
    static func resetSeconds(_ response: HTTPResponse, _ pacing: ConnectorDeclaration.Pacing?) -> Double? {
        guard let pacing, let name = pacing.resetHeader, let text = response.header(named: name),
              let value = Double(text.trimmed(" ")) else { return nil }
        let seconds = switch pacing.resetFormat {
        case .epochSeconds: value - Double(UTCTimestamp.now().microseconds) / 1_000_000
        case .deltaSeconds: value
        }
        // A reset in the past (clock skew) still waits a moment; a day is the most anyone waits.
        return min(max(seconds, 1), 86_400)
    }

    /// The API said no request is left in its window: nobody sharing the budget sends until it resets.
    private func pauseIfSpent(_ response: HTTPResponse) {
        guard let pacing, let declared = declaration.pacing, let name = declared.remainingHeader,
              let remaining = response.header(named: name).flatMap({ Int($0.trimmed(" ")) }),
              remaining <= 0, let wait = Self.resetSeconds(response, declared) else { return }
        values.context.http.pause(pacing, seconds: wait)
    }
}

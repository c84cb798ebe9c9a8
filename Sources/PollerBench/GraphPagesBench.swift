public import Providers
internal import Poller
public import Kafka
internal import Curl
internal import JSONBytes
internal import UTCTime

/// The poller's hot path with nothing around it, for the benchmark: follow
/// `@odata.nextLink` from a start URL (HTTPS; or plain HTTP to a loopback address, to
/// read the same pages as a peer that reads plain HTTP: `run` never allows that), scan each page, normalize every
/// directoryAudit event, produce it, and wait until Kafka acknowledged all.
/// The same page loop (with its read-ahead), transform, writer and publisher as a real
/// run; no database, no pacing.
public enum GraphPagesBench {
    public struct Stats: Sendable {
        public var pages = 0
        public var events = 0
        public var seconds = 0.0
        public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
    }

    public static func run(startURL: String, caBundlePath: String?, kafka: KafkaProducerConfiguration,
                           topic: String, maxPages: Int = 100_000) throws(ProviderError) -> Stats {
        let started = RateLimiter.monotonicSeconds()
        var configuration = HTTPClientConfiguration()
        configuration.extraCABundlePath = caBundlePath
        configuration.allowsPlainHTTPOnLoopback = true  // the client refuses any other plain-HTTP host
        let client: HTTPClient
        let producer: KafkaProducer
        do {
            client = try HTTPClient(configuration: configuration)
        } catch {
            throw ProviderError(.configuration, "HTTP client: \(error.description)")
        }
        do {
            producer = try KafkaProducer(configuration: kafka)
        } catch {
            throw ProviderError(.configuration, "Kafka: \(error.description)")
        }
        let publisher = EventPublisher(producer: producer, topic: topic)
        publisher.beginBatch()
        let origin = EventOrigin(tenantID: "bench", sourceID: "00000000-0000-0000-0000-000000000000", platform: "Microsoft365")
        let stream = Microsoft365Provider.directoryAudits.stream
        // Two counters, not one struct: the read-ahead thread counts pages while this one counts events.
        var pages = 0
        var events = 0
        // The readers' page loop: page N+1 is fetched and validated on the read-ahead
        // thread while page N is transformed and produced here.
        try PagedRead.run(from: startURL, readAhead: true, wantsNextPage: { true }, fetch: { (url) throws(ProviderError) -> FetchedPage<String> in
            guard pages < maxPages else { return FetchedPage(page: EventPage(events: []), next: nil) }
            let response: HTTPResponse
            do throws(CurlError) {
                response = try client.send(HTTPRequest(url: url, headers: [("Accept", "application/json")]))
            } catch {
                throw ProviderError(.unreachable, error.description)
            }
            guard response.status == 200 else { throw ProviderError(.serverError, "HTTP \(response.status) for page \(pages + 1)") }
            let page: RawJSON
            do throws(JSONError) {
                page = try RawJSON(validating: response.body)
            } catch {
                throw ProviderError(.malformedResponse, error.description)
            }
            let top = GraphPage.selector.select(in: page)
            pages += 1
            return FetchedPage(next: top[1]?.stringValue) { [records = top[0]] in
                var normalized: [ProviderEvent] = []
                for record in records?.elements ?? RawJSON.Elements() {
                    if let event = GraphTransforms.directoryAudit(record, stream) { normalized.append(event) }
                }
                return EventPage(events: normalized)
            }
        }, sink: { (page) throws(ProviderError) in
            let ingestedAt = UTCTimestamp.now().rfc3339
            for event in page.events {
                try publisher.publish(event, origin: origin, ingestedAt: ingestedAt)
            }
            events += page.events.count
        })
        try publisher.confirm(timeout: .seconds(120))
        var stats = Stats()
        stats.pages = pages
        stats.events = events
        stats.seconds = RateLimiter.monotonicSeconds() - started
        return stats
    }
}

public import Providers
internal import Poller
public import Kafka
internal import Curl
internal import JSONBytes
internal import UTCTime

/// The poller's hot path with nothing around it, for the benchmark: follow
/// `@odata.nextLink` from a start URL (HTTPS), scan each page, normalize every
/// directoryAudit event, produce it, and wait until Kafka acknowledged all.
/// The same transform, writer and publisher as a real run; no database, no pacing.
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
        var stats = Stats()
        var next: String? = startURL
        while let url = next, stats.pages < maxPages {
            let response: HTTPResponse
            do {
                response = try client.send(HTTPRequest(url: url, headers: [("Accept", "application/json")]))
            } catch {
                throw ProviderError(.unreachable, error.description)
            }
            guard response.status == 200 else { throw ProviderError(.serverError, "HTTP \(response.status) for page \(stats.pages + 1)") }
            let page: RawJSON
            do {
                page = try RawJSON(validating: response.body)
            } catch {
                throw ProviderError(.malformedResponse, error.description)
            }
            let top = GraphPage.selector.select(in: page)
            let ingestedAt = UTCTimestamp.now().rfc3339
            for record in top[0]?.elements ?? RawJSON.Elements() {
                guard let event = GraphTransforms.directoryAudit(record, stream) else { continue }
                try publisher.publish(event, origin: origin, ingestedAt: ingestedAt)
                stats.events += 1
            }
            stats.pages += 1
            next = top[1]?.stringValue
        }
        try publisher.confirm(timeout: .seconds(120))
        stats.seconds = RateLimiter.monotonicSeconds() - started
        return stats
    }
}

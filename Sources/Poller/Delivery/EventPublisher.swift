public import Providers
public import Kafka
internal import JSONBytes

/// Hands normalized events to Kafka and confirms their delivery. One per worker:
/// a producer's delivery counters describe that worker's current slice only.
public final class EventPublisher {
    private let producer: KafkaProducer
    private let topic: String
    /// The value size past which `raw_log` is cut: the producer's `message.max.bytes` less
    /// room for the key, the headers and the record's framing.
    private let maxValueBytes: Int
    public private(set) var published = 0
    /// Events of the current batch sent with `raw_log` cut to fit `message.max.bytes`.
    public private(set) var truncated = 0

    public init(producer: KafkaProducer, topic: String, messageMaxBytes: Int = 1_000_000) {
        self.producer = producer
        self.topic = topic
        self.maxValueBytes = max(1_024, messageMaxBytes - 4_096)
    }

    /// Starts a new batch: the next `confirm` covers only what is published after this.
    public func beginBatch() {
        producer.resetDeliveryCounters()
        published = 0
        truncated = 0
    }

    /// Key = the event id (stable across re-reads, so downstream can de-duplicate
    /// after a fault); headers tenant_id, source_id, platform, log_type.
    public func publish(_ event: ProviderEvent, origin: EventOrigin, ingestedAt: String) throws(ProviderError) {
        var writer = JSONWriter(reservingCapacity: event.raw.range.count + 512)
        NormalizedEventWriter.write(event, origin: origin, ingestedAt: ingestedAt, into: &writer)
        let budget = maxValueBytes - event.id.utf8.count
        if writer.bytes.count > budget {
            // Too large for Kafka: an event that cannot be produced must not block its stream.
            // Cut raw_log (escaping at most doubles it) and say so; the normalized fields stay.
            let others = writer.bytes.count - event.raw.range.count
            writer = JSONWriter(reservingCapacity: budget)
            NormalizedEventWriter.write(event, origin: origin, ingestedAt: ingestedAt, into: &writer,
                                        rawLimit: max(0, (budget - others - 64) / 2))
            truncated += 1
        }
        let headers = [
            KafkaHeader(name: "tenant_id", value: origin.tenantID),
            KafkaHeader(name: "source_id", value: origin.sourceID),
            KafkaHeader(name: "platform", value: origin.platform),
            KafkaHeader(name: "log_type", value: event.logType),
        ]
        do {
            try producer.produce(topic: topic, key: Array(event.id.utf8), value: writer.bytes, headers: headers)
        } catch {
            throw ProviderError(.deliveryFailed, "could not queue an event for Kafka: \(error.description)")
        }
        published += 1
    }

    /// Waits until Kafka acknowledged every event of the batch; throws otherwise
    /// (the caller then does not move the checkpoint).
    public func confirm(timeout: Duration) throws(ProviderError) {
        let report: DeliveryReport
        do {
            report = try producer.awaitDeliveries(timeout: timeout)
        } catch {
            throw ProviderError(.deliveryFailed, "Kafka producer failed: \(error.description)")
        }
        guard report.allDelivered else {
            let reason = report.firstError.map { $0.description } ?? "no acknowledgement within \(timeout)"
            throw ProviderError(.deliveryFailed,
                                "\(report.failed) failed and \(report.outstanding) unacknowledged of \(report.produced) events: \(reason)")
        }
    }
}

@available(*, unavailable)
extension EventPublisher: Sendable {}

public import Providers
public import Kafka
internal import JSONBytes

/// Hands normalized events to Kafka and confirms their delivery. One per worker, on a
/// producer the workers may share: its own ``DeliveryBatch`` counts that worker's current
/// slice only, so another worker's messages neither confirm nor fail it.
public final class EventPublisher {
    private let producer: KafkaProducer
    private let batch: DeliveryBatch
    private let topic: String
    /// The value size past which `raw_log` is cut: the producer's `message.max.bytes` less
    /// room for the key, the headers and the record's framing.
    private let maxValueBytes: Int
    public private(set) var published = 0
    /// Events of the current batch sent with `raw_log` cut to fit `message.max.bytes`.
    public private(set) var truncated = 0
    /// Reused for every event (its capacity kept), so writing one allocates nothing.
    private var writer = JSONWriter(reservingCapacity: 16_384)
    private static let keptWriterCapacity = 256 * 1024
    private var cachedHeaders: (origin: EventOrigin, logType: String, headers: [KafkaHeader])?

    public init(producer: KafkaProducer, topic: String, messageMaxBytes: Int = 1_000_000) {
        self.producer = producer
        self.batch = producer.makeDeliveryBatch()
        self.topic = topic
        self.maxValueBytes = max(1_024, messageMaxBytes - 4_096)
    }

    /// Starts a new batch: the next `confirm` covers only what is published after this.
    public func beginBatch() {
        batch.reset()
        published = 0
        truncated = 0
    }

    /// Key = the event id (stable across re-reads, so downstream can de-duplicate
    /// after a fault); headers tenant_id, source_id, platform, log_type.
    public func publish(_ event: ProviderEvent, origin: EventOrigin, ingestedAt: String) throws(ProviderError) {
        writer.removeAll()
        NormalizedEventWriter.write(event, origin: origin, ingestedAt: ingestedAt, into: &writer)
        let budget = maxValueBytes - event.id.utf8.count
        if writer.bytes.count > budget {
            // Too large for Kafka: an event that cannot be produced must not block its stream.
            // Cut raw_log (escaping at most doubles it) and say so; the normalized fields stay.
            let others = writer.bytes.count - event.raw.range.count
            var cut = JSONWriter(reservingCapacity: budget)
            NormalizedEventWriter.write(event, origin: origin, ingestedAt: ingestedAt, into: &cut,
                                        rawLimit: max(0, (budget - others - 64) / 2))
            try produce(cut.bytes, key: event.id, headers: headers(origin, event.logType))
            truncated += 1
        } else {
            try produce(writer.bytes, key: event.id, headers: headers(origin, event.logType))
        }
        // A rare huge event must not pin its buffer for the rest of the run.
        if writer.bytes.capacity > Self.keptWriterCapacity { writer = JSONWriter(reservingCapacity: 16_384) }
        published += 1
    }

    private func produce(_ value: [UInt8], key: String, headers: [KafkaHeader]) throws(ProviderError) {
        var key = key
        var failure: KafkaError?
        key.withUTF8 { keyBytes in
            value.withUnsafeBytes { valueBytes in
                do throws(KafkaError) {
                    try producer.produce(topic: topic, key: UnsafeRawBufferPointer(keyBytes), value: valueBytes,
                                         headers: headers, batch: batch)
                } catch { failure = error }
            }
        }
        if let failure {
            throw ProviderError(.deliveryFailed, "could not queue an event for Kafka: \(failure.description)")
        }
    }

    /// The four headers, built once per origin and log type rather than per event.
    private func headers(_ origin: EventOrigin, _ logType: String) -> [KafkaHeader] {
        if let cached = cachedHeaders, cached.origin.tenantID == origin.tenantID,
           cached.origin.sourceID == origin.sourceID, cached.origin.platform == origin.platform,
           cached.logType == logType {
            return cached.headers
        }
        let headers = [
            KafkaHeader(name: "tenant_id", value: origin.tenantID),
            KafkaHeader(name: "source_id", value: origin.sourceID),
            KafkaHeader(name: "platform", value: origin.platform),
            KafkaHeader(name: "log_type", value: logType),
        ]
        cachedHeaders = (origin, logType, headers)
        return headers
    }

    /// Waits until Kafka acknowledged every event of the batch; throws otherwise
    /// (the caller then does not move the checkpoint).
    public func confirm(timeout: Duration) throws(ProviderError) {
        let report: DeliveryReport
        do {
            report = try producer.awaitDeliveries(of: batch, timeout: timeout)
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

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
    /// Writes the common event in one buffer it keeps (the same bytes as `writer`).
    private let encoder = NormalizedEventEncoder()
    /// For the rest (an id to escape, an event too large for Kafka); its capacity kept.
    private var writer = JSONWriter(reservingCapacity: 16_384)
    private static let keptWriterCapacity = 256 * 1024
    /// What the events of one origin, log type and ingestion time share (normally a whole
    /// page), prepared once rather than per event.
    private var shared: Shared?

    private final class Shared {
        let constants: NormalizedEventConstants
        let headers: KafkaHeaderList

        init(_ constants: NormalizedEventConstants) {
            self.constants = constants
            headers = KafkaHeaderList([
                KafkaHeader(name: "tenant_id", value: constants.origin.tenantID),
                KafkaHeader(name: "source_id", value: constants.origin.sourceID),
                KafkaHeader(name: "platform", value: constants.origin.platform),
                KafkaHeader(name: "log_type", value: constants.logType),
            ])
        }
    }

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
        let shared = shared(origin, event.logType, ingestedAt)
        let budget = maxValueBytes - event.id.utf8.count
        if let value = encoder.encode(event, shared: shared.constants), value.count <= budget {
            try produce(value, key: event.id, headers: shared.headers)
            published += 1
            return
        }
        writer.removeAll()
        NormalizedEventWriter.write(event, shared: shared.constants, into: &writer)
        if writer.bytes.count > budget {
            // Too large for Kafka: an event that cannot be produced must not block its stream.
            // Cut raw_log (escaping at most doubles it) and say so; the normalized fields stay.
            let others = writer.bytes.count - event.raw.range.count
            var cut = JSONWriter(reservingCapacity: budget)
            NormalizedEventWriter.write(event, shared: shared.constants, into: &cut,
                                        rawLimit: max(0, (budget - others - 64) / 2))
            try produce(cut.bytes, key: event.id, headers: shared.headers)
            truncated += 1
        } else {
            try produce(writer.bytes, key: event.id, headers: shared.headers)
        }
        // A rare huge event must not pin its buffer for the rest of the run.
        if writer.bytes.capacity > Self.keptWriterCapacity { writer = JSONWriter(reservingCapacity: 16_384) }
        published += 1
    }

    private func produce(_ value: [UInt8], key: String, headers: KafkaHeaderList) throws(ProviderError) {
        var failure: ProviderError?
        value.withUnsafeBytes { value in
            do throws(ProviderError) { try produce(value, key: key, headers: headers) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private func produce(_ value: UnsafeRawBufferPointer, key: String, headers: KafkaHeaderList) throws(ProviderError) {
        var key = key
        var failure: KafkaError?
        key.withUTF8 { keyBytes in
            do throws(KafkaError) {
                try producer.produce(topic: topic, key: UnsafeRawBufferPointer(keyBytes), value: value,
                                     headers: headers, batch: batch)
            } catch { failure = error }
        }
        if let failure {
            throw ProviderError(.deliveryFailed, "could not queue an event for Kafka: \(failure.description)")
        }
    }

    /// The headers (tenant_id, source_id, platform, log_type) and shared members, built once
    /// per origin, log type and ingestion time rather than per event.
    private func shared(_ origin: EventOrigin, _ logType: String, _ ingestedAt: String) -> Shared {
        if let shared, shared.constants.matches(origin, logType: logType, ingestedAt: ingestedAt) { return shared }
        let made = Shared(NormalizedEventConstants(origin: origin, logType: logType, ingestedAt: ingestedAt))
        shared = made
        return made
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

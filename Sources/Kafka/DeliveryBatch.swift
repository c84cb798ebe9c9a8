import Synchronization

/// The delivery counts of one caller's current batch on a shared ``KafkaProducer``.
///
/// Several workers share one producer (one set of librdkafka threads, batches across
/// workers); each counts only its own messages through its own `DeliveryBatch`, made by
/// ``KafkaProducer/makeDeliveryBatch()``, passed to `produce(…, batch:)` and to
/// ``KafkaProducer/awaitDeliveries(of:timeout:)``. Another batch's failures never count
/// here; a fatal producer error fails every batch. Each message carries its batch's
/// slot and generation (``MessageTag``), so a late report of a message produced before
/// ``reset()`` is not counted in the new batch.
public final class DeliveryBatch: @unchecked Sendable {
    private struct Counts {
        var generation: UInt32 = 1
        var produced = 0
        var delivered = 0
        var failed = 0
        var firstError: KafkaError?
        var fatalError: KafkaError?
        var outstanding: Int { produced - delivered - failed }
    }
    /// The slot in the producer's ``DeliveryBatchRegistry``, and which registry (a batch
    /// counts only in the producer that made it).
    let slot: UInt32
    let registry: ObjectIdentifier
    private let condition = MonotonicCondition()
    /// Guarded by `condition`.
    private var counts = Counts()

    init(slot: UInt32, registry: ObjectIdentifier) {
        self.slot = slot
        self.registry = registry
    }

    /// Starts a new batch: counters go to zero; reports of earlier messages are ignored.
    public func reset() {
        condition.withLock {
            counts.generation &+= 1
            if counts.generation == 0 { counts.generation = 1 }
            let fatal = counts.fatalError
            counts = Counts(generation: counts.generation, fatalError: fatal)
        }
    }

    /// The current batch's counts, without waiting.
    public var report: DeliveryReport {
        condition.withLock { makeReport() }
    }

    // MARK: Called by the producer and its delivery callback

    /// Counts one message about to be enqueued; returns the tag it must carry.
    func willProduce() -> MessageTag {
        condition.withLock {
            counts.produced += 1
            return MessageTag(slot: slot, generation: counts.generation)
        }
    }

    /// The enqueue of a message counted by ``willProduce()`` failed: it will get no report.
    func produceFailed(_ tag: MessageTag) {
        condition.withLock {
            guard counts.generation == tag.generation else { return }
            counts.produced -= 1
            if counts.outstanding == 0 { condition.broadcast() }
        }
    }

    func delivered(_ tag: MessageTag, error: KafkaResponseCode) {
        condition.withLock {
            guard counts.generation == tag.generation else { return }
            if error == .noError {
                counts.delivered += 1
            } else {
                counts.failed += 1
                if counts.firstError == nil {
                    counts.firstError = KafkaError(.delivery, "message delivery failed: \(error)", kafkaCode: error)
                }
            }
            if counts.outstanding == 0 { condition.broadcast() }
        }
    }

    /// The producer is unusable: wake the waiter, whose counts can no longer be trusted.
    func fail(_ fatal: KafkaError) {
        condition.withLock {
            if counts.fatalError == nil { counts.fatalError = fatal }
            condition.broadcast()
        }
    }

    /// Waits until every message of the batch has a report, a fatal error, or `deadline`.
    func wait(until deadline: ContinuousClock.Instant) throws(KafkaError) -> DeliveryReport {
        let (report, fatal) = condition.withLock {
            condition.wait(until: deadline) { counts.outstanding > 0 && counts.fatalError == nil }
            return (makeReport(), counts.fatalError)
        }
        if let fatal { throw fatal }
        return report
    }

    private func makeReport() -> DeliveryReport {
        DeliveryReport(produced: counts.produced, delivered: counts.delivered, failed: counts.failed,
                       firstError: counts.firstError)
    }
}

/// What a message carries to its delivery report (librdkafka's per-message opaque): its
/// batch's slot in the producer's registry and the batch's generation, packed in one word.
/// Never a pointer, so a report can never reach freed memory.
struct MessageTag: Equatable {
    var slot: UInt32
    var generation: UInt32

    init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    init(opaque: UnsafeMutableRawPointer?) {
        let bits = UInt64(UInt(bitPattern: opaque))
        self.init(slot: UInt32(truncatingIfNeeded: bits >> 32), generation: UInt32(truncatingIfNeeded: bits))
    }

    /// Non-null: generations start at 1 and skip 0.
    var opaque: UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(UInt64(slot) << 32 | UInt64(generation)))
    }
}

/// Every ``DeliveryBatch`` of one producer, by slot. Batches are never removed: they live as
/// long as the producer (one per worker), so a slot in a late report always resolves.
final class DeliveryBatchRegistry: Sendable {
    private let batches = Mutex<[DeliveryBatch]>([])

    func makeBatch() -> DeliveryBatch {
        batches.withLock { batches in
            let batch = DeliveryBatch(slot: UInt32(batches.count), registry: ObjectIdentifier(self))
            batches.append(batch)
            return batch
        }
    }

    func batch(_ slot: UInt32) -> DeliveryBatch? {
        batches.withLock { Int(slot) < $0.count ? $0[Int(slot)] : nil }
    }

    func failAll(_ fatal: KafkaError) {
        for batch in batches.withLock({ $0 }) { batch.fail(fatal) }
    }
}

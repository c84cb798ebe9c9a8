internal import CRdKafka
internal import CKafkaShims
import Synchronization

/// An idempotent, `acks=all` Kafka producer with delivery tracking.
///
/// Messages are copied once into librdkafka (`RD_KAFKA_MSG_F_COPY`) and sent in batches by
/// its threads. Every message's delivery report is counted; ``awaitDeliveries(timeout:)``
/// flushes and waits for them and returns a ``DeliveryReport``. The intended loop:
///
/// ```swift
/// producer.resetDeliveryCounters()
/// for event in page { try producer.produce(topic: t, key: event.key, value: event.value) }
/// let report = try producer.awaitDeliveries(timeout: .seconds(90))
/// if report.allDelivered { try checkpoints.save(page.cursor) }
/// ```
///
/// `rd_kafka_t` is thread-safe and all mutable Swift state sits behind a `Mutex`, hence
/// `@unchecked Sendable`.
public final class KafkaProducer: @unchecked Sendable {
    /// The configuration the producer was created with.
    public let configuration: KafkaProducerConfiguration
    private let handle: OpaquePointer
    private let tracker: DeliveryTracker
    /// Topic handles by name (`rd_kafka_topic_t*` as bit patterns), created on first use.
    private let topics = Mutex<[String: UInt]>([:])
    private let producedSincePoll = Atomic<Int>(0)
    private static let messagesPerPoll = 64

    /// Creates a producer. `eventHandler`, if given, receives client errors and librdkafka's
    /// log lines (from librdkafka's threads, so it must be thread-safe); without it, log
    /// lines go to stderr (librdkafka's default) and errors are kept for ``drainEvents()``.
    public init(
        configuration: KafkaProducerConfiguration,
        eventHandler: (@Sendable (KafkaClientEvent) -> Void)? = nil
    ) throws(KafkaError) {
        try configuration.validate()
        self.configuration = configuration
        let tracker = DeliveryTracker(eventHandler: eventHandler)
        self.tracker = tracker
        let conf = try makeRdKafkaConf(configuration.librdkafkaProperties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(tracker).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryCallback)
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        if eventHandler != nil {
            rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        }
        handle = try makeRdKafka(RD_KAFKA_PRODUCER, conf: conf, properties: configuration.librdkafkaProperties)
    }

    deinit {
        // Unsent messages are dropped here on purpose: a caller that did not wait for its
        // delivery report never moved a checkpoint for them. Serve what is already known.
        rd_kafka_purge(handle, 0x1 | 0x4)  // RD_KAFKA_PURGE_F_QUEUE | NON_BLOCKING
        rd_kafka_poll(handle, 0)
        for topic in topics.withLock({ Array($0.values) }) {
            rd_kafka_topic_destroy(OpaquePointer(bitPattern: topic))
        }
        rd_kafka_destroy(handle)
    }

    // MARK: Producing

    /// Enqueues one message. Key and value are copied once, before this returns.
    ///
    /// - Parameters:
    ///   - partition: a fixed partition, or `nil` to let the partitioner hash the key.
    /// - Throws: ``KafkaError/Code/queueFull`` if the local queue stays full for
    ///   ``KafkaProducerConfiguration/queueFullWait`` (the producer polls meanwhile),
    ///   ``KafkaError/Code/fatal`` after a fatal error, ``KafkaError/Code/produce`` otherwise.
    public func produce(
        topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
        headers: [KafkaHeader] = [], partition: Int32? = nil
    ) throws(KafkaError) {
        if let fatal = tracker.fatalError { throw fatal }
        let rkt = try topicHandle(topic)
        var cHeaders = makeHeaders(headers)
        let generation = tracker.willProduce()
        var queueFullDeadline: ContinuousClock.Instant?
        while true {
            let err = cshims_rd_kafka_produce(
                handle, rkt, partition ?? -1,
                key?.baseAddress, key?.count ?? 0, value.baseAddress, value.count,
                cHeaders, UnsafeMutableRawPointer(bitPattern: generation))
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                cHeaders = nil  // owned by librdkafka now
                break
            }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                let deadline = queueFullDeadline ?? ContinuousClock.now + configuration.queueFullWait
                queueFullDeadline = deadline
                let wait = remainingMilliseconds(until: deadline, cap: 100)
                if wait > 0 {
                    rd_kafka_poll(handle, wait)  // serves delivery reports, frees queue space
                    continue
                }
            }
            tracker.produceFailed(generation: generation)
            if let cHeaders { rd_kafka_headers_destroy(cHeaders) }
            if let fatal = tracker.fatalError { throw fatal }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                throw KafkaError(
                    .queueFull, "local producer queue stayed full for \(configuration.queueFullWait)",
                    kafkaCode: err.code)
            }
            throw KafkaError(.produce, "produce to \(topic) failed: \(err.code)", kafkaCode: err.code)
        }
        // Serve delivery reports as we go so they do not pile up until the flush; every
        // 64th message, not each: one poll then serves a batch of reports (a queue lock each).
        if producedSincePoll.add(1, ordering: .relaxed).newValue % Self.messagesPerPoll == 0 {
            rd_kafka_poll(handle, 0)
        }
    }

    /// Enqueues one message; see ``produce(topic:key:value:headers:partition:)-(_,UnsafeRawBufferPointer?,_,_,_)``.
    public func produce(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [], partition: Int32? = nil
    ) throws(KafkaError) {
        var failure: KafkaError?
        value.withUnsafeBytes { valueBytes in
            withOptionalBytes(key) { keyBytes in
                do throws(KafkaError) {
                    try produce(topic: topic, key: keyBytes, value: valueBytes, headers: headers, partition: partition)
                } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Enqueues one message from slices (e.g. an event cut out of a page buffer without copying).
    public func produce(
        topic: String, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>, headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) throws(KafkaError) {
        var failure: KafkaError?
        value.withUnsafeBytes { valueBytes in
            withOptionalBytes(key) { keyBytes in
                do throws(KafkaError) {
                    try produce(topic: topic, key: keyBytes, value: valueBytes, headers: headers, partition: partition)
                } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    // MARK: Delivery tracking

    /// Flushes and serves delivery reports until every message of the current batch has a
    /// report or `timeout` passes. Messages still in flight at the timeout are reported as
    /// ``DeliveryReport/outstanding`` (they may still be delivered later: at-least-once).
    ///
    /// - Throws: ``KafkaError/Code/fatal`` if the producer hit a fatal error; the counts
    ///   cannot be trusted then and the producer must be recreated.
    public func awaitDeliveries(timeout: Duration) throws(KafkaError) -> DeliveryReport {
        let deadline = ContinuousClock.now + timeout
        while tracker.report().outstanding > 0, tracker.fatalError == nil {
            let slice = remainingMilliseconds(until: deadline, cap: 100)
            if slice == 0 { break }
            if rd_kafka_flush(handle, slice) == RD_KAFKA_RESP_ERR_NO_ERROR, tracker.report().outstanding > 0 {
                // Nothing left in librdkafka, yet reports missing: another thread is serving
                // them right now. Do not spin.
                rd_kafka_poll(handle, min(slice, 10))
            }
        }
        rd_kafka_poll(handle, 0)
        if let fatal = tracker.fatalError { throw fatal }
        return tracker.report()
    }

    /// The current batch's counts, without waiting.
    public var deliveryReport: DeliveryReport { tracker.report() }

    /// Starts a new batch: counters go to zero. Reports that arrive later for messages of
    /// earlier batches are not counted in the new one (each message carries its batch number).
    public func resetDeliveryCounters() { tracker.reset() }

    /// Serves queued callbacks (delivery reports, errors), waiting up to `timeout` for one.
    public func poll(timeout: Duration = .zero) {
        rd_kafka_poll(handle, remainingMilliseconds(until: ContinuousClock.now + timeout))
    }

    /// Drops messages still waiting in the local queue (not those already sent to a broker);
    /// they are reported failed with `_PURGE_QUEUE`. For giving up after an outage.
    public func purgeQueued() {
        rd_kafka_purge(handle, 0x1)  // RD_KAFKA_PURGE_F_QUEUE
        rd_kafka_poll(handle, 0)
    }

    /// Messages and requests librdkafka still holds (queued, in flight, or unserved reports).
    public var outQueueLength: Int { Int(rd_kafka_outq_len(handle)) }

    /// The fatal error, once one happened (the producer is unusable afterwards).
    public var fatalError: KafkaError? { tracker.fatalError }

    /// Returns and clears the recent client errors (at most the last 256).
    public func drainEvents() -> [KafkaClientEvent] { tracker.drainEvents() }

    // MARK: Internals

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        if let cached = topics.withLock({ $0[name] }) { return OpaquePointer(bitPattern: cached)! }
        guard let rkt = rd_kafka_topic_new(handle, name, nil) else {
            throw KafkaError(.produce, "invalid topic \(name)", kafkaCode: rd_kafka_last_error().code)
        }
        let bits = UInt(bitPattern: rkt)
        let winner = topics.withLock { topics in
            if let existing = topics[name] { return existing }
            topics[name] = bits
            return bits
        }
        if winner != bits { rd_kafka_topic_destroy(rkt) }
        return OpaquePointer(bitPattern: winner)!
    }

    private func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            if let value = header.value {
                value.withUnsafeBytes { bytes in
                    _ = rd_kafka_header_add(list, header.name, -1, bytes.baseAddress, bytes.count)
                }
            } else {
                _ = rd_kafka_header_add(list, header.name, -1, nil, 0)
            }
        }
        return list
    }
}

private func withOptionalBytes<C: ContiguousCollectionOfBytes>(
    _ bytes: C?, _ body: (UnsafeRawBufferPointer?) -> Void
) {
    if let bytes { bytes.withUnsafeBytes { body($0) } } else { body(nil) }
}

/// `[UInt8]` and `ArraySlice<UInt8>`: both expose contiguous storage.
protocol ContiguousCollectionOfBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}
extension Array: ContiguousCollectionOfBytes where Element == UInt8 {}
extension ArraySlice: ContiguousCollectionOfBytes where Element == UInt8 {}

/// Counters shared between the producer and librdkafka's callbacks.
final class DeliveryTracker: Sendable {
    private struct State {
        var generation: UInt = 1
        var produced = 0
        var delivered = 0
        var failed = 0
        var firstError: KafkaError?
        var fatalError: KafkaError?
        var events: [KafkaClientEvent] = []
    }
    private let state = Mutex(State())
    let eventHandler: (@Sendable (KafkaClientEvent) -> Void)?

    init(eventHandler: (@Sendable (KafkaClientEvent) -> Void)?) {
        self.eventHandler = eventHandler
    }

    func willProduce() -> UInt {
        state.withLock { state in
            state.produced += 1
            return state.generation
        }
    }

    func produceFailed(generation: UInt) {
        state.withLock { state in
            if state.generation == generation { state.produced -= 1 }
        }
    }

    func delivered(generation: UInt, error: KafkaResponseCode) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if error == .noError {
                state.delivered += 1
            } else {
                state.failed += 1
                if state.firstError == nil {
                    state.firstError = KafkaError(.delivery, "message delivery failed: \(error)", kafkaCode: error)
                }
            }
        }
    }

    func reset() {
        state.withLock { state in
            state.generation &+= 1
            if state.generation == 0 { state.generation = 1 }  // 0 would be a NULL opaque
            state.produced = 0
            state.delivered = 0
            state.failed = 0
            state.firstError = nil
        }
    }

    func report() -> DeliveryReport {
        state.withLock {
            DeliveryReport(produced: $0.produced, delivered: $0.delivered, failed: $0.failed, firstError: $0.firstError)
        }
    }

    var fatalError: KafkaError? { state.withLock { $0.fatalError } }

    func record(_ event: KafkaClientEvent, fatal: KafkaError? = nil) {
        state.withLock { state in
            if let fatal, state.fatalError == nil { state.fatalError = fatal }
            if event.kind == .error {
                if state.events.count >= 256 { state.events.removeFirst() }
                state.events.append(event)
            }
        }
        eventHandler?(event)
    }

    func drainEvents() -> [KafkaClientEvent] {
        state.withLock { state in
            defer { state.events.removeAll() }
            return state.events
        }
    }
}

private let kafkaDeliveryCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        let tracker = Unmanaged<DeliveryTracker>.fromOpaque(opaque).takeUnretainedValue()
        let generation = UInt(bitPattern: message.pointee._private)
        tracker.delivered(generation: generation, error: message.pointee.err.code)
    }

private let kafkaErrorCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        rk, err, reason, opaque in
        guard let opaque else { return }
        let tracker = Unmanaged<DeliveryTracker>.fromOpaque(opaque).takeUnretainedValue()
        var code = KafkaResponseCode(rawValue: err)
        var text = reason.map { String(cString: $0) } ?? code.description
        var fatal: KafkaError?
        if code == .fatal, let rk {
            // The callback carries only _FATAL; the real cause comes from rd_kafka_fatal_error.
            var buffer = [CChar](repeating: 0, count: 512)
            code = rd_kafka_fatal_error(rk, &buffer, buffer.count).code
            text = cString(buffer)
            fatal = KafkaError(.fatal, "fatal producer error: \(text)", kafkaCode: code)
        }
        let event = KafkaClientEvent(
            kind: .error, level: fatal == nil ? 4 : 2, facility: code.name, message: text, code: code,
            isFatal: fatal != nil)
        tracker.record(event, fatal: fatal)
    }

private let kafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    rk, level, facility, line in
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    let tracker = Unmanaged<DeliveryTracker>.fromOpaque(opaque).takeUnretainedValue()
    let event = KafkaClientEvent(
        kind: .log, level: Int(level), facility: facility.map { String(cString: $0) } ?? "",
        message: line.map { String(cString: $0) } ?? "", code: nil, isFatal: false)
    tracker.eventHandler?(event)
}

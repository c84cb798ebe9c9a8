internal import CRdKafka
internal import CKafkaShims
import Synchronization

/// An idempotent, `acks=all` Kafka producer with delivery tracking.
///
/// Messages are copied once into librdkafka (`RD_KAFKA_MSG_F_COPY`) and sent in batches by
/// its threads. Every message's delivery report is counted in a ``DeliveryBatch``;
/// ``awaitDeliveries(timeout:)`` waits for them and returns a ``DeliveryReport``. The
/// intended loop for a single user (its own batch, built in):
///
/// ```swift
/// producer.resetDeliveryCounters()
/// for event in page { try producer.produce(topic: t, key: event.key, value: event.value) }
/// let report = try producer.awaitDeliveries(timeout: .seconds(90))
/// if report.allDelivered { try checkpoints.save(page.cursor) }
/// ```
///
/// Several threads share one producer by giving each its own batch
/// (``makeDeliveryBatch()``, then `produce(…, batch:)`, ``awaitDeliveries(of:timeout:)``,
/// ``DeliveryBatch/reset()``): one set of librdkafka threads and partition queues, and each
/// thread's confirmation counts only its own messages. Producing threads serve delivery
/// reports as they go, and a producer-owned thread polls while someone waits, so waiting
/// never flushes for another thread.
///
/// `rd_kafka_t` is thread-safe and all mutable Swift state sits behind locks, hence
/// `@unchecked Sendable`.
public final class KafkaProducer: @unchecked Sendable {
    /// The configuration the producer was created with.
    public let configuration: KafkaProducerConfiguration
    private let handle: OpaquePointer
    private let tracker: DeliveryTracker
    /// The batch of the single-user API (the methods without a `batch` argument).
    private let ownBatch: DeliveryBatch
    private let pollThread: PollThread
    private let producedSincePoll = Atomic<Int>(0)
    private static let messagesPerPoll = 64
    /// Topic handles by name (`rd_kafka_topic_t*` as bit patterns), created on first use.
    private let topics = Mutex<[String: UInt]>([:])

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
        let handle = try makeRdKafka(RD_KAFKA_PRODUCER, conf: conf, properties: configuration.librdkafkaProperties)
        do {
            pollThread = try PollThread(handle: handle)
        } catch {
            rd_kafka_destroy(handle)
            throw error
        }
        self.handle = handle
        ownBatch = tracker.batches.makeBatch()
    }

    deinit {
        pollThread.stop()
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
    ///   - batch: the batch that counts the message's delivery, made by this producer;
    ///     `nil`: the producer's own.
    /// - Throws: ``KafkaError/Code/queueFull`` if the local queue stays full for
    ///   ``KafkaProducerConfiguration/queueFullWait`` (reports free space meanwhile),
    ///   ``KafkaError/Code/fatal`` after a fatal error, ``KafkaError/Code/produce`` otherwise.
    public func produce(
        topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
        headers: [KafkaHeader] = [], partition: Int32? = nil, batch: DeliveryBatch? = nil
    ) throws(KafkaError) {
        // One way to build librdkafka's header list: through a prepared list (callers that
        // produce many messages with the same headers keep theirs, see the overload below).
        try produce(topic: topic, key: key, value: value, headers: KafkaHeaderList(headers), partition: partition,
                    batch: batch)
    }

    /// Enqueues one message with headers prepared once for many messages; see
    /// ``produce(topic:key:value:headers:partition:batch:)-(_,UnsafeRawBufferPointer?,_,_,_,_)``.
    public func produce(
        topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
        headers: KafkaHeaderList, partition: Int32? = nil, batch: DeliveryBatch? = nil
    ) throws(KafkaError) {
        try produce(topic: topic, key: key, value: value, cHeaders: makeHeaders(headers), partition: partition,
                    batch: batch)
    }

    /// The shared part of the `produce` overloads; takes ownership of `cHeaders`.
    private func produce(
        topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
        cHeaders: OpaquePointer?, partition: Int32?, batch: DeliveryBatch?
    ) throws(KafkaError) {
        var cHeaders = cHeaders
        let rkt: OpaquePointer
        do throws(KafkaError) {
            if let fatal = tracker.fatalError { throw fatal }
            rkt = try topicHandle(topic)
        } catch {
            if let cHeaders { rd_kafka_headers_destroy(cHeaders) }
            throw error
        }
        let batch = batch ?? ownBatch
        precondition(batch.registry == ObjectIdentifier(tracker.batches), "a DeliveryBatch of another producer")
        let tag = batch.willProduce()
        var queueFullDeadline: ContinuousClock.Instant?
        while true {
            let err = cshims_rd_kafka_produce(
                handle, rkt, partition ?? -1,
                key?.baseAddress, key?.count ?? 0, value.baseAddress, value.count,
                cHeaders, tag.opaque)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                cHeaders = nil  // owned by librdkafka now
                break
            }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                let deadline = queueFullDeadline ?? ContinuousClock.now + configuration.queueFullWait
                queueFullDeadline = deadline
                // Short slices: the poll thread may serve the report that frees space, and then
                // this poll would sleep on.
                let wait = remainingMilliseconds(until: deadline, cap: 10)
                if wait > 0 {
                    rd_kafka_poll(handle, wait)  // serves delivery reports, frees queue space
                    continue
                }
            }
            batch.produceFailed(tag)
            if let cHeaders { rd_kafka_headers_destroy(cHeaders) }
            if let fatal = tracker.fatalError { throw fatal }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                throw KafkaError(
                    .queueFull, "local producer queue stayed full for \(configuration.queueFullWait)",
                    kafkaCode: err.code)
            }
            throw KafkaError(.produce, "produce to \(topic) failed: \(err.code)", kafkaCode: err.code)
        }
        // The producing thread serves reports as it goes, every 64th message (one poll serves
        // what has piled up); the poll thread polls only while someone waits (PollThread).
        if producedSincePoll.add(1, ordering: .relaxed).newValue % Self.messagesPerPoll == 0 {
            rd_kafka_poll(handle, 0)
        }
    }

    /// Enqueues one message; see ``produce(topic:key:value:headers:partition:batch:)-(_,UnsafeRawBufferPointer?,_,_,_,_)``.
    public func produce(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [], partition: Int32? = nil,
        batch: DeliveryBatch? = nil
    ) throws(KafkaError) {
        var failure: KafkaError?
        value.withUnsafeBytes { valueBytes in
            withOptionalBytes(key) { keyBytes in
                do throws(KafkaError) {
                    try produce(topic: topic, key: keyBytes, value: valueBytes, headers: headers, partition: partition,
                                batch: batch)
                } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Enqueues one message from slices (e.g. an event cut out of a page buffer without copying).
    public func produce(
        topic: String, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>, headers: [KafkaHeader] = [],
        partition: Int32? = nil, batch: DeliveryBatch? = nil
    ) throws(KafkaError) {
        var failure: KafkaError?
        value.withUnsafeBytes { valueBytes in
            withOptionalBytes(key) { keyBytes in
                do throws(KafkaError) {
                    try produce(topic: topic, key: keyBytes, value: valueBytes, headers: headers, partition: partition,
                                batch: batch)
                } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    // MARK: Delivery tracking

    /// A new batch for one user of a shared producer (e.g. one worker). It lives as long as
    /// the producer: make one per user, not one per page.
    public func makeDeliveryBatch() -> DeliveryBatch {
        let batch = tracker.batches.makeBatch()
        if let fatal = tracker.fatalError { batch.fail(fatal) }
        return batch
    }

    /// Waits until every message of `batch`'s current generation has a report or `timeout`
    /// passes; reports of other batches neither satisfy nor fail it. Messages still in flight
    /// at the timeout are reported as ``DeliveryReport/outstanding`` (they may still be
    /// delivered later: at-least-once). Does not flush: `linger.ms` applies.
    ///
    /// - Throws: ``KafkaError/Code/fatal`` if the producer hit a fatal error; the counts
    ///   cannot be trusted then and the producer must be recreated.
    public func awaitDeliveries(of batch: DeliveryBatch, timeout: Duration) throws(KafkaError) -> DeliveryReport {
        let deadline = ContinuousClock.now + timeout
        rd_kafka_poll(handle, 0)  // what is already reported, at once
        return try pollThread.whileWaiting { () throws(KafkaError) -> DeliveryReport in
            try batch.wait(until: deadline)
        }
    }

    /// ``awaitDeliveries(of:timeout:)`` for the producer's own batch (the single-user API).
    public func awaitDeliveries(timeout: Duration) throws(KafkaError) -> DeliveryReport {
        try awaitDeliveries(of: ownBatch, timeout: timeout)
    }

    /// The own batch's counts, without waiting.
    public var deliveryReport: DeliveryReport { ownBatch.report }

    /// Starts a new own batch: counters go to zero. Reports that arrive later for messages of
    /// earlier batches are not counted in the new one (each message carries its batch number).
    public func resetDeliveryCounters() { ownBatch.reset() }

    /// Waits until librdkafka holds nothing more of *any* batch (sent and reported), or
    /// `timeout`; true when nothing is left. For the end of a run, when no one produces.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        rd_kafka_flush(handle, remainingMilliseconds(until: ContinuousClock.now + timeout)) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Serves queued callbacks (delivery reports, errors), waiting up to `timeout` for one.
    public func poll(timeout: Duration = .zero) {
        rd_kafka_poll(handle, remainingMilliseconds(until: ContinuousClock.now + timeout))
    }

    /// Drops messages still waiting in the local queue (not those already sent to a broker),
    /// of every batch: they are reported failed with `_PURGE_QUEUE`. For giving up after an
    /// outage, when no other user of the producer still waits for its batch.
    public func purgeQueued() {
        rd_kafka_purge(handle, 0x1)  // RD_KAFKA_PURGE_F_QUEUE
        rd_kafka_poll(handle, 0)
    }

    /// Messages and requests librdkafka still holds (queued, in flight, or unserved reports).
    public var outQueueLength: Int { Int(rd_kafka_outq_len(handle)) }

    /// The fatal error, once one happened (the producer is unusable afterwards).
    public var fatalError: KafkaError? { tracker.fatalError }

    /// Makes librdkafka raise a fatal error, as a broker fencing the producer would: for tests.
    package func raiseFatalErrorForTesting(_ reason: String) {
        _ = rd_kafka_test_fatal_error(handle, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, reason)
    }

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

    private func makeHeaders(_ headers: KafkaHeaderList) -> OpaquePointer? {
        guard !headers.entries.isEmpty, let list = rd_kafka_headers_new(headers.entries.count) else { return nil }
        for header in headers.entries {
            _ = rd_kafka_header_add(list, header.name, header.nameCount, header.value, header.valueCount)
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

/// What librdkafka's callbacks reach through the client opaque: the producer's batches
/// (delivery reports), its fatal error and its recent client errors.
final class DeliveryTracker: Sendable {
    private struct State {
        var fatalError: KafkaError?
        var events: [KafkaClientEvent] = []
    }
    private let state = Mutex(State())
    let batches = DeliveryBatchRegistry()
    let eventHandler: (@Sendable (KafkaClientEvent) -> Void)?

    init(eventHandler: (@Sendable (KafkaClientEvent) -> Void)?) {
        self.eventHandler = eventHandler
    }

    func delivered(_ tag: MessageTag, error: KafkaResponseCode) {
        batches.batch(tag.slot)?.delivered(tag, error: error)
    }

    var fatalError: KafkaError? { state.withLock { $0.fatalError } }

    func record(_ event: KafkaClientEvent, fatal: KafkaError? = nil) {
        let firstFatal: KafkaError? = state.withLock { state in
            var first: KafkaError?
            if let fatal, state.fatalError == nil {
                state.fatalError = fatal
                first = fatal
            }
            if event.kind == .error {
                if state.events.count >= 256 { state.events.removeFirst() }
                state.events.append(event)
            }
            return first
        }
        // After storing it: a batch made from now on is failed by makeDeliveryBatch.
        if let firstFatal { batches.failAll(firstFatal) }
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
        tracker.delivered(MessageTag(opaque: message.pointee._private), error: message.pointee.err.code)
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

public import Kafka
internal import CRdKafka

/// One consumed Kafka record.
public struct KafkaRecord: Sendable, Hashable {
    /// Partition the record sits in.
    public var partition: Int32
    /// Offset within the partition.
    public var offset: Int64
    /// Record key; `nil` for a null key.
    public var key: [UInt8]?
    /// Record value (a null value reads as empty).
    public var value: [UInt8]
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// Timestamp in milliseconds since the epoch, when the broker returned one.
    public var timestampMilliseconds: Int64?
}

/// Offsets of one partition: records live in `low..<high`.
public struct KafkaPartitionOffsets: Sendable, Hashable {
    /// Partition id.
    public var partition: Int32
    /// Oldest available offset.
    public var low: Int64
    /// Offset the next produced record will get.
    public var high: Int64
    /// `high - low`.
    public var count: Int64 { high - low }
}

/// Reads a topic from the beginning to its current end with manual partition assignment
/// (`rd_kafka_assign`; no group membership, no offset commits). For tests and operator
/// tooling, not for streaming consumption.
///
/// Not Sendable: one thread drives the consumer.
public final class KafkaTopicReader {
    private let handle: OpaquePointer

    /// Creates the reader's consumer. `properties` pass through to librdkafka (security
    /// settings for real clusters).
    public init(bootstrapServers: String, properties: [String: String] = [:]) throws(KafkaError) {
        var list: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", "siem-topic-reader"),
            // rd_kafka_assign needs a group handle; the group is never joined or committed to.
            ("group.id", "siem-topic-reader"),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "true"),
            ("auto.offset.reset", "earliest"),
        ]
        list += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let conf = try makeRdKafkaConf(list)
        handle = try makeRdKafka(RD_KAFKA_CONSUMER, conf: conf, properties: list)
        rd_kafka_poll_set_consumer(handle)
    }

    deinit {
        rd_kafka_consumer_close(handle)
        rd_kafka_destroy(handle)
    }

    /// The topic's partitions with their low/high watermarks.
    public func offsets(topic: String, timeout: Duration) throws(KafkaError) -> [KafkaPartitionOffsets] {
        let deadline = ContinuousClock.now + timeout
        let partitionIDs = try partitions(of: topic, deadline: deadline)
        var result: [KafkaPartitionOffsets] = []
        for id in partitionIDs {
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(
                handle, topic, id, &low, &high, remainingMilliseconds(until: deadline))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(.metadata, "watermarks of \(topic)/\(id): \(err.code)", kafkaCode: err.code)
            }
            result.append(KafkaPartitionOffsets(partition: id, low: low, high: high))
        }
        return result
    }

    /// Reads every record the topic holds now (up to each partition's high watermark at the
    /// start), ordered by partition and offset.
    ///
    /// - Throws: ``KafkaError/Code/timeout`` when the end is not reached within `timeout`.
    public func readAll(topic: String, timeout: Duration) throws(KafkaError) -> [KafkaRecord] {
        let deadline = ContinuousClock.now + timeout
        let offsets = try offsets(topic: topic, timeout: timeout)
        var remaining: [Int32: Int64] = [:]  // partition -> last offset still to read
        for partition in offsets where partition.high > partition.low {
            remaining[partition.partition] = partition.high - 1
        }
        guard !remaining.isEmpty else { return [] }

        guard let list = rd_kafka_topic_partition_list_new(Int32(remaining.count)) else {
            throw KafkaError(.consume, "rd_kafka_topic_partition_list_new failed")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in offsets where remaining[partition.partition] != nil {
            rd_kafka_topic_partition_list_add(list, topic, partition.partition).pointee.offset = partition.low
        }
        let assignErr = rd_kafka_assign(handle, list)
        guard assignErr == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consume, "assign \(topic): \(assignErr.code)", kafkaCode: assignErr.code)
        }
        defer { rd_kafka_assign(handle, nil) }

        var records: [KafkaRecord] = []
        records.reserveCapacity(Int(offsets.reduce(0) { $0 + $1.count }))
        var lastError: KafkaResponseCode?
        while !remaining.isEmpty {
            let wait = remainingMilliseconds(until: deadline, cap: 200)
            if wait == 0 {
                let missing = remaining.keys.sorted().map(String.init).joined(separator: ",")
                throw KafkaError(
                    .timeout, "read \(records.count) records of \(topic); partitions \(missing) unfinished",
                    kafkaCode: lastError)
            }
            guard let message = rd_kafka_consumer_poll(handle, wait) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let partition = message.pointee.partition
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                if let last = remaining[partition], message.pointee.offset > last { remaining[partition] = nil }
                continue
            }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                // Transient consumer errors (a broker restarting) are retried until the deadline.
                lastError = err.code
                continue
            }
            guard let last = remaining[partition] else { continue }
            records.append(KafkaTopicReader.record(from: message))
            if message.pointee.offset >= last { remaining[partition] = nil }
        }
        records.sort { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        return records
    }

    private func partitions(of topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [Int32] {
        guard let rkt = rd_kafka_topic_new(handle, topic, nil) else {
            throw KafkaError(.metadata, "invalid topic \(topic)", kafkaCode: rd_kafka_last_error().code)
        }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, rkt, &metadata, remainingMilliseconds(until: deadline))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(.metadata, "metadata of \(topic): \(err.code)", kafkaCode: err.code)
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt == 1, let entry = metadata.pointee.topics else {
            throw KafkaError(.metadata, "metadata of \(topic): topic missing")
        }
        guard entry.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.metadata, "metadata of \(topic): \(entry.pointee.err.code)", kafkaCode: entry.pointee.err.code)
        }
        return (0..<Int(entry.pointee.partition_cnt)).map { entry.pointee.partitions[$0].id }.sorted()
    }

    private static func record(from message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaRecord {
        let m = message.pointee
        let key: [UInt8]? = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value: [UInt8] = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var valuePointer: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &valuePointer, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let bytes = valuePointer.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
                index += 1
            }
        }
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        return KafkaRecord(
            partition: m.partition, offset: m.offset, key: key, value: value, headers: headers,
            timestampMilliseconds: type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
    }
}

@available(*, unavailable)
extension KafkaTopicReader: Sendable {}

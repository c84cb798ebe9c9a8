public import Kafka
internal import CRdKafka

/// librdkafka's in-process mock Kafka cluster (`rdkafka_mock.h`): real TCP listeners on
/// 127.0.0.1 with ephemeral ports, messages kept in memory. For tests and the dev broker.
///
/// The mock API hands every call to the cluster's own thread, so the wrapper may be used
/// from any thread (`@unchecked Sendable`: it only holds the two C handles).
///
/// - Note: The mock is an experimental librdkafka API (not covered by its ABI promise);
///   this wrapper targets librdkafka 2.0.
public final class KafkaMockCluster: @unchecked Sendable {
    /// A Kafka protocol request type (its API key), for error injection.
    public struct APIKey: Hashable, Sendable, CustomStringConvertible {
        /// The protocol's numeric API key.
        public var rawValue: Int16
        /// Wraps an API key number.
        public init(rawValue: Int16) { self.rawValue = rawValue }
        /// ProduceRequest (0).
        public static let produce = APIKey(rawValue: 0)
        /// FetchRequest (1).
        public static let fetch = APIKey(rawValue: 1)
        /// ListOffsetsRequest (2).
        public static let listOffsets = APIKey(rawValue: 2)
        /// MetadataRequest (3).
        public static let metadata = APIKey(rawValue: 3)
        /// InitProducerIdRequest (22): what the idempotent producer sends first.
        public static let initProducerID = APIKey(rawValue: 22)
        public var description: String { "ApiKey(\(rawValue))" }
    }

    /// Number of brokers; their ids are `1...brokerCount`.
    public let brokerCount: Int
    /// The `bootstrap.servers` list of the cluster, e.g. `127.0.0.1:40123`.
    public let bootstrapServers: String
    private let host: OpaquePointer
    private let cluster: OpaquePointer

    /// Starts a mock cluster with `brokers` brokers (1 ... 16).
    public init(brokers: Int = 1) throws(KafkaError) {
        guard (1...16).contains(brokers) else {
            throw KafkaError(.invalidArgument, "broker count must be 1...16")
        }
        // The rd_kafka_t only hosts the cluster; keep its own logging quiet.
        let properties = [("log_level", "3")]
        host = try makeRdKafka(RD_KAFKA_PRODUCER, conf: try makeRdKafkaConf(properties), properties: properties)
        guard let cluster = rd_kafka_mock_cluster_new(host, Int32(brokers)) else {
            rd_kafka_destroy(host)
            throw KafkaError(.mockCluster, "rd_kafka_mock_cluster_new failed")
        }
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(host)
    }

    /// Creates a topic (the mock also auto-creates topics on first metadata request, with
    /// its default partition count).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        guard (1...10_000).contains(partitions), (1...brokerCount).contains(replicationFactor) else {
            throw KafkaError(.invalidArgument, "partitions must be 1...10000, replication 1...\(brokerCount)")
        }
        try check(
            rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor)),
            "create topic \(name)")
    }

    /// Makes the cluster answer metadata requests for `topic` with `error` (e.g.
    /// `.topicAuthorizationFailed`, which fails that topic's messages and no other's).
    public func setTopicError(_ topic: String, error: KafkaResponseCode) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: error.rawValue))
    }

    /// Takes a broker down: its connections close and new ones are refused.
    public func setBrokerDown(_ brokerID: Int) throws(KafkaError) {
        try validate(brokerID)
        try check(rd_kafka_mock_broker_set_down(cluster, Int32(brokerID)), "broker \(brokerID) down")
    }

    /// Brings a broker back up.
    public func setBrokerUp(_ brokerID: Int) throws(KafkaError) {
        try validate(brokerID)
        try check(rd_kafka_mock_broker_set_up(cluster, Int32(brokerID)), "broker \(brokerID) up")
    }

    /// Delays every response of a broker by `milliseconds`.
    public func setBrokerRoundTripTime(_ brokerID: Int, milliseconds: Int) throws(KafkaError) {
        try validate(brokerID)
        guard (0...600_000).contains(milliseconds) else {
            throw KafkaError(.invalidArgument, "rtt must be 0...600000 ms")
        }
        try check(rd_kafka_mock_broker_set_rtt(cluster, Int32(brokerID), Int32(milliseconds)), "broker rtt")
    }

    /// Makes the next `errors.count` requests of type `api` (cluster-wide) fail with these
    /// errors, in order. `.transport` makes the broker drop the connection instead.
    public func pushRequestErrors(_ api: APIKey, errors: [KafkaResponseCode]) {
        guard !errors.isEmpty else { return }
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, buffer.count, buffer.baseAddress)
        }
    }

    /// Makes the next `count` requests of type `api` fail with `error`.
    public func pushRequestErrors(_ api: APIKey, count: Int, error: KafkaResponseCode) throws(KafkaError) {
        guard (1...1_000_000).contains(count) else {
            throw KafkaError(.invalidArgument, "error count must be 1...1000000")
        }
        pushRequestErrors(api, errors: Array(repeating: error, count: count))
    }

    /// Drops the injected errors still pending for `api`.
    public func clearRequestErrors(_ api: APIKey) {
        rd_kafka_mock_clear_request_errors(cluster, api.rawValue)
    }

    /// Moves a partition's leadership to `brokerID` (or `nil`: no leader).
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int?) throws(KafkaError) {
        if let brokerID { try validate(brokerID) }
        try check(
            rd_kafka_mock_partition_set_leader(cluster, topic, partition, Int32(brokerID ?? -1)),
            "set leader of \(topic)/\(partition)")
    }

    private func validate(_ brokerID: Int) throws(KafkaError) {
        guard (1...brokerCount).contains(brokerID) else {
            throw KafkaError(.invalidArgument, "broker id must be 1...\(brokerCount)")
        }
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.mockCluster, "\(what): \(err.code)", kafkaCode: err.code)
        }
    }
}

package import CRdKafka

/// The one error type of the Kafka module.
///
/// `description` holds only the code, a fixed-vocabulary message and librdkafka's own
/// error text (`rd_kafka_err2str`), never message contents or configuration values, so
/// it is safe to log.
public struct KafkaError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, coarse enough to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration, clientCreation, produce, queueFull, delivery, fatal
            case timeout, metadata, consume, mockCluster, invalidArgument
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A configuration property was rejected (by this module or by librdkafka).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// `rd_kafka_new` failed.
        public static let clientCreation = Code(.clientCreation)
        /// librdkafka refused to enqueue a message (unknown topic, message too large, ...).
        public static let produce = Code(.produce)
        /// The local producer queue stayed full for longer than the configured wait.
        public static let queueFull = Code(.queueFull)
        /// A message was not delivered (used for the first error in a ``DeliveryReport``).
        public static let delivery = Code(.delivery)
        /// The producer hit a fatal error (e.g. an idempotence guarantee could not be kept);
        /// the handle is unusable and must be recreated.
        public static let fatal = Code(.fatal)
        /// An operation did not finish within its deadline.
        public static let timeout = Code(.timeout)
        /// A metadata or watermark query failed.
        public static let metadata = Code(.metadata)
        /// The topic reader failed to consume.
        public static let consume = Code(.consume)
        /// A mock-cluster operation failed.
        public static let mockCluster = Code(.mockCluster)
        /// An argument was out of range.
        public static let invalidArgument = Code(.invalidArgument)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// The coarse error class.
    public var code: Code
    /// A human-readable explanation, safe to log.
    public var message: String
    /// The librdkafka error code behind this error, if any.
    public var kafkaCode: KafkaResponseCode?
    /// Where the error was raised.
    public var file: String
    /// Where the error was raised.
    public var line: Int

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, kafkaCode: KafkaResponseCode? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.kafkaCode = kafkaCode
        self.file = file
        self.line = line
    }

    /// The librdkafka error name (`rd_kafka_err2name`, e.g. `_MSG_TIMED_OUT`), if any.
    public var kafkaErrorName: String? { kafkaCode?.name }

    public var description: String {
        if let kafkaCode {
            return "KafkaError(\(code)): \(message) [\(kafkaCode.name)]"
        }
        return "KafkaError(\(code)): \(message)"
    }

    public var debugDescription: String { "\(description) at \(file):\(line)" }
}

/// A librdkafka / Kafka protocol error code (`rd_kafka_resp_err_t`): positive values are
/// broker errors, negative ones librdkafka-internal errors (names starting with `_`).
public struct KafkaResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric `rd_kafka_resp_err_t` value.
    public var rawValue: Int32
    /// Wraps a numeric code.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Looks up a code by its librdkafka name, case-insensitively, with or without the
    /// `RD_KAFKA_RESP_ERR_` prefix: `NOT_ENOUGH_REPLICAS`, `_MSG_TIMED_OUT`,
    /// `RD_KAFKA_RESP_ERR__TRANSPORT`. A decimal number is accepted too. Unknown names and
    /// numbers give `nil`.
    public init?(name: String) {
        var wanted = name.uppercased()
        if wanted.hasPrefix("RD_KAFKA_RESP_ERR_") { wanted.removeFirst("RD_KAFKA_RESP_ERR_".count) }
        guard !wanted.isEmpty, let found = KafkaResponseCode.lookup(wanted) else { return nil }
        self.init(rawValue: found)
    }

    /// Finds a known code by name or number in librdkafka's table.
    private static func lookup(_ wanted: String) -> Int32? {
        var descs: UnsafePointer<rd_kafka_err_desc>?
        var count = 0
        rd_kafka_get_err_descs(&descs, &count)
        guard let descs else { return nil }
        let number = Int32(wanted)
        for index in 0..<count {
            // The table has holes (entries with a NULL name).
            guard let cName = descs[index].name else { continue }
            if let number {
                if descs[index].code.rawValue == number { return number }
            } else if String(cString: cName).uppercased() == wanted {
                return descs[index].code.rawValue
            }
        }
        return nil
    }

    /// `rd_kafka_err2name`: the enum name without prefix, e.g. `NOT_ENOUGH_REPLICAS`.
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
    /// `rd_kafka_err2str`: a human-readable description.
    public var description: String { String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: rawValue))) }

    /// No error.
    public static let noError = KafkaResponseCode(rawValue: 0)
    /// `_MSG_TIMED_OUT`: `message.timeout.ms` passed before the message was acknowledged.
    public static let messageTimedOut = KafkaResponseCode(rawValue: -192)
    /// `_TRANSPORT`: broker connection failure (pushed to a mock, it disconnects the client).
    public static let transport = KafkaResponseCode(rawValue: -195)
    /// `_ALL_BROKERS_DOWN`.
    public static let allBrokersDown = KafkaResponseCode(rawValue: -187)
    /// `_QUEUE_FULL`: the local producer queue is full.
    public static let queueFull = KafkaResponseCode(rawValue: -184)
    /// `_FATAL`.
    public static let fatal = KafkaResponseCode(rawValue: -150)
    /// `_UNKNOWN_TOPIC`.
    public static let unknownTopicLocal = KafkaResponseCode(rawValue: -188)
    /// `_PURGE_QUEUE`: the message was purged from the local queue.
    public static let purgedFromQueue = KafkaResponseCode(rawValue: -152)
    /// `NOT_LEADER_FOR_PARTITION` (retriable).
    public static let notLeaderForPartition = KafkaResponseCode(rawValue: 6)
    /// `REQUEST_TIMED_OUT` (retriable).
    public static let requestTimedOut = KafkaResponseCode(rawValue: 7)
    /// `MSG_SIZE_TOO_LARGE` (permanent).
    public static let messageSizeTooLarge = KafkaResponseCode(rawValue: 10)
    /// `NOT_ENOUGH_REPLICAS` (retriable).
    public static let notEnoughReplicas = KafkaResponseCode(rawValue: 19)
    /// `TOPIC_AUTHORIZATION_FAILED` (permanent).
    public static let topicAuthorizationFailed = KafkaResponseCode(rawValue: 29)
}

extension rd_kafka_resp_err_t {
    package var code: KafkaResponseCode { KafkaResponseCode(rawValue: rawValue) }
}

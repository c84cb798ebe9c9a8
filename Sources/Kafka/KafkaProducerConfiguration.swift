/// Settings of a ``KafkaProducer``.
///
/// The producer is always idempotent with `acks=all` (the collector's no-loss rule depends
/// on it): ``validate()`` rejects extra properties that try to weaken that. Extra properties
/// otherwise override the typed defaults, so `KAFKA_*`-derived settings such as
/// `security.protocol`, `sasl.mechanism`, `sasl.username`, `sasl.password` or
/// `ssl.ca.location` pass straight through to librdkafka.
public struct KafkaProducerConfiguration: Sendable, CustomStringConvertible {
    /// Compression of produced batches.
    public struct Compression: Hashable, Sendable {
        let name: String
        /// No compression (default).
        public static let none = Compression(name: "none")
        /// gzip.
        public static let gzip = Compression(name: "gzip")
        /// snappy.
        public static let snappy = Compression(name: "snappy")
        /// lz4: cheap on CPU, good on JSON.
        public static let lz4 = Compression(name: "lz4")
        /// zstd.
        public static let zstd = Compression(name: "zstd")
    }

    /// `bootstrap.servers`: comma-separated `host:port` list.
    public var bootstrapServers: String
    /// `client.id`, shown in broker logs and quotas.
    public var clientID: String = "siem-collector"
    /// `message.timeout.ms`: how long a message may wait for its acknowledgement (including
    /// retries) before it is reported failed. Bounded to 1 s ... 15 min so that an outage
    /// surfaces as delivery failures instead of a hang. Default 60 s.
    public var messageTimeout: Duration = .seconds(60)
    /// `linger.ms`: batching delay. Default 5 ms.
    public var lingerMilliseconds: Int = 5
    /// `batch.num.messages`. Default 10,000.
    public var batchMaxMessages: Int = 10_000
    /// `batch.size` in bytes. Default 1 MB (the broker's default `message.max.bytes`).
    public var batchMaxBytes: Int = 1_000_000
    /// `message.max.bytes`: the largest message the producer sends, set explicitly so the
    /// publisher knows where to cut an oversized event. Default 1,000,000, the broker's
    /// default; a topic with a larger `max.message.bytes` may raise it (KAFKA_PROPERTIES).
    public var messageMaxBytes: Int = 1_000_000

    /// The message size limit in force: `message.max.bytes` from the extra properties, if set.
    public var effectiveMessageMaxBytes: Int {
        properties["message.max.bytes"].flatMap(Int.init) ?? messageMaxBytes
    }
    /// `queue.buffering.max.messages`: local queue bound. Default 100,000.
    public var queueMaxMessages: Int = 100_000
    /// `queue.buffering.max.kbytes`. Default 1 GiB (librdkafka's default).
    public var queueMaxKilobytes: Int = 1_048_576
    /// `compression.codec`. Default ``Compression/none``.
    public var compression: Compression = .none
    /// How long `produce` keeps polling while the local queue is full before it throws
    /// ``KafkaError/Code/queueFull``. Default 30 s.
    public var queueFullWait: Duration = .seconds(30)
    /// Extra librdkafka properties, applied after the typed ones (so they override them),
    /// e.g. `["security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", ...]`.
    public var properties: [String: String] = [:]

    /// Properties fixed by the no-loss rule, with the only value they may have.
    static let enforced: [(String, String)] = [("enable.idempotence", "true"), ("acks", "all")]
    /// Properties the producer sets itself and that may not be passed in.
    static let reserved: Set<String> = ["dr_cb", "dr_msg_cb", "error_cb", "log_cb", "opaque", "background_event_cb"]

    /// Creates a configuration with the documented defaults.
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// Checks value ranges and that ``properties`` do not weaken the delivery guarantee.
    public func validate() throws(KafkaError) {
        guard !bootstrapServers.isEmpty else {
            throw KafkaError(.invalidConfiguration, "bootstrap servers are empty")
        }
        let timeout = KafkaProducerConfiguration.milliseconds(messageTimeout)
        guard (1_000...900_000).contains(timeout) else {
            throw KafkaError(.invalidConfiguration, "message timeout must be between 1 s and 15 min")
        }
        guard (0...60_000).contains(lingerMilliseconds), batchMaxMessages > 0, batchMaxBytes > 0,
            queueMaxMessages > 0, queueMaxKilobytes > 0
        else {
            throw KafkaError(.invalidConfiguration, "linger/batch/queue settings out of range")
        }
        guard queueFullWait >= .zero else {
            throw KafkaError(.invalidConfiguration, "queue-full wait must not be negative")
        }
        for (key, value) in properties {
            if let required = KafkaProducerConfiguration.enforced.first(where: { $0.0 == key })?.1,
                KafkaProducerConfiguration.normalized(key, value) != required
            {
                throw KafkaError(.invalidConfiguration, "property \(key) must be \(required) (no-loss delivery)")
            }
            if KafkaProducerConfiguration.reserved.contains(key) {
                throw KafkaError(.invalidConfiguration, "property \(key) is set by the producer itself")
            }
            if key == "message.max.bytes" {
                guard let bytes = Int(value), (10_000...100_000_000).contains(bytes) else {
                    throw KafkaError(.invalidConfiguration, "property \(key) must be between 10000 and 100000000")
                }
            }
            if key == "message.timeout.ms" || key == "delivery.timeout.ms" {
                guard let ms = Int(value), (1_000...900_000).contains(ms) else {
                    throw KafkaError(.invalidConfiguration, "property \(key) must be between 1000 and 900000")
                }
            }
        }
    }

    /// The ordered property list handed to librdkafka (typed settings, extras, enforced).
    var librdkafkaProperties: [(String, String)] {
        var list: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientID),
            ("message.timeout.ms", String(KafkaProducerConfiguration.milliseconds(messageTimeout))),
            ("linger.ms", String(lingerMilliseconds)),
            ("batch.num.messages", String(batchMaxMessages)),
            ("batch.size", String(batchMaxBytes)),
            ("message.max.bytes", String(messageMaxBytes)),
            ("queue.buffering.max.messages", String(queueMaxMessages)),
            ("queue.buffering.max.kbytes", String(queueMaxKilobytes)),
            ("compression.codec", compression.name),
        ]
        list += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        list += KafkaProducerConfiguration.enforced
        return list
    }

    /// Maps environment variables to librdkafka properties with the Confluent image
    /// convention: the prefix is dropped, the rest lowercased, `_` becomes `.`, `__` becomes
    /// `_` and `___` becomes `-` (`KAFKA_SASL_MECHANISM` → `sasl.mechanism`,
    /// `KAFKA_LOG__LEVEL` → `log_level`). Variables without the prefix are ignored. Pure: the
    /// executable passes its environment in.
    public static func properties(fromEnvironment environment: [String: String], prefix: String = "KAFKA_")
        -> [String: String]
    {
        var result: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) && name.count > prefix.count {
            var key = ""
            var underscores = 0
            func flush() {
                switch underscores {
                case 0: break
                case 1: key.append(".")
                case 2: key.append("_")
                default: key.append("-")
                }
                underscores = 0
            }
            for character in name.dropFirst(prefix.count).lowercased() {
                if character == "_" {
                    underscores += 1
                } else {
                    flush()
                    key.append(character)
                }
            }
            flush()
            result[key] = value
        }
        return result
    }

    /// Lists settings without property values (they may hold SASL passwords).
    public var description: String {
        "KafkaProducerConfiguration(bootstrap: \(bootstrapServers), clientID: \(clientID), "
            + "messageTimeout: \(messageTimeout), linger.ms: \(lingerMilliseconds), "
            + "compression: \(compression.name), extra: \(properties.keys.sorted()))"
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let total = seconds.multipliedReportingOverflow(by: 1000)
        if total.overflow { return seconds < 0 ? Int.min : Int.max }
        return Int(total.partialValue + attoseconds / 1_000_000_000_000_000)
    }

    private static func normalized(_ key: String, _ value: String) -> String {
        let lower = value.lowercased()
        if key == "acks" && lower == "-1" { return "all" }
        return lower
    }
}

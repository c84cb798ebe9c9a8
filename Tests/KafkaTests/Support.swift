import Kafka
import KafkaDevTools
import Testing

/// A producer on a fresh mock cluster, with the defaults tests want.
func makeProducer(
    _ cluster: KafkaMockCluster, messageTimeout: Duration = .seconds(30),
    tweak: (inout KafkaProducerConfiguration) -> Void = { _ in }
) throws -> KafkaProducer {
    var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
    configuration.clientID = "kafka-tests"
    configuration.messageTimeout = messageTimeout
    // Quick reconnects so broker up/down tests do not wait on librdkafka's backoff.
    configuration.properties["reconnect.backoff.max.ms"] = "200"
    configuration.properties["log_level"] = "2"
    tweak(&configuration)
    return try KafkaProducer(configuration: configuration)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// Produces `count` messages keyed `prefix-i` (counted in `batch`, or the producer's own) and returns their keys.
@discardableResult
func produceKeyed(
    _ producer: KafkaProducer, batch: DeliveryBatch? = nil, topic: String, prefix: String, count: Int
) throws(KafkaError) -> [String] {
    var keys: [String] = []
    for index in 0..<count {
        let key = "\(prefix)-\(index)"
        try producer.produce(topic: topic, key: bytes(key), value: bytes("value of \(key)"), batch: batch)
        keys.append(key)
    }
    return keys
}

/// Key → number of occurrences in the topic.
func keyCounts(_ cluster: KafkaMockCluster, topic: String) throws -> [String: Int] {
    let reader = try KafkaTopicReader(bootstrapServers: cluster.bootstrapServers, properties: ["log_level": "2"])
    var counts: [String: Int] = [:]
    for record in try reader.readAll(topic: topic, timeout: .seconds(30)) {
        counts[text(record.key) ?? "<null>", default: 0] += 1
    }
    return counts
}

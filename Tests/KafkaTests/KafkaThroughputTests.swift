import Foundation
import Kafka
import KafkaDevTools
import Testing

/// Opt-in measurement: `SIEM_KAFKA_BENCH=1 swift test -c release --filter KafkaThroughput`
/// (`SIEM_KAFKA_BENCH_COUNT`, `SIEM_KAFKA_BENCH_SIZE` to change 200,000 × 1,500 B;
/// `SIEM_KAFKA_BENCH_BOOTSTRAP` to produce to an external broker such as bench/kafka-mock
/// instead of an in-process mock; `SIEM_KAFKA_BENCH_HEADERS=0` to send no header).
@Suite("KafkaThroughput", .enabled(if: benchEnvironment["SIEM_KAFKA_BENCH"] == "1"))
struct KafkaThroughputTests {
    @Test("produce + ack to the mock cluster")
    func produceAndAck() throws {
        let count = Int(benchEnvironment["SIEM_KAFKA_BENCH_COUNT"] ?? "") ?? 200_000
        let size = Int(benchEnvironment["SIEM_KAFKA_BENCH_SIZE"] ?? "") ?? 1_500
        var cluster: KafkaMockCluster?
        let bootstrap: String
        if let external = benchEnvironment["SIEM_KAFKA_BENCH_BOOTSTRAP"] {
            bootstrap = external
        } else {
            let local = try KafkaMockCluster()
            try local.createTopic("ingest-events", partitions: 3)
            cluster = local
            bootstrap = local.bootstrapServers
        }
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        configuration.messageTimeout = .seconds(120)
        configuration.properties["log_level"] = "2"
        let producer = try KafkaProducer(configuration: configuration)
        // One buffer, sliced per message like a page the poller cuts events out of.
        var page = [UInt8](repeating: UInt8(ascii: "x"), count: size * 100)
        for index in stride(from: 0, to: page.count, by: 97) { page[index] = UInt8(ascii: "a") + UInt8(index % 26) }
        let headers = benchEnvironment["SIEM_KAFKA_BENCH_HEADERS"] == "0" ? [] : [KafkaHeader(name: "source", value: "bench")]
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<count {
            let offset = (index % 100) * size
            let key = Array("event-\(index)".utf8)
            try producer.produce(topic: "ingest-events", key: key[...], value: page[offset..<(offset + size)], headers: headers)
        }
        let produced = clock.now
        let report = try producer.awaitDeliveries(timeout: .seconds(300))
        let end = clock.now
        #expect(report.delivered == count && report.allDelivered, "\(report)")
        withExtendedLifetime(cluster) {}
        let seconds = Double((end - start).components.attoseconds) / 1e18 + Double((end - start).components.seconds)
        print(
            "kafka bench: \(count) × \(size) B: enqueue \(produced - start), total \(end - start), "
                + "\(Int(Double(count) / seconds)) msg/s, \(Int(Double(count * size) / seconds / 1e6)) MB/s")
    }
}

let benchEnvironment: [String: String] = {
    var result: [String: String] = [:]
    for key in [
        "SIEM_KAFKA_BENCH", "SIEM_KAFKA_BENCH_COUNT", "SIEM_KAFKA_BENCH_SIZE", "SIEM_KAFKA_BENCH_BOOTSTRAP",
        "SIEM_KAFKA_BENCH_HEADERS",
    ] {
        if let value = getenv(key) { result[key] = String(cString: value) }
    }
    return result
}()

import Foundation
import Kafka
import Testing

/// Opt-in measurement: `SIEM_KAFKA_BENCH=1 swift test --filter KafkaThroughput`
/// (`SIEM_KAFKA_BENCH_COUNT`, `SIEM_KAFKA_BENCH_SIZE` to change 200,000 × 1,500 B).
@Suite("KafkaThroughput", .enabled(if: benchEnvironment["SIEM_KAFKA_BENCH"] == "1"))
struct KafkaThroughputTests {
    @Test("produce + ack to the mock cluster")
    func produceAndAck() throws {
        let count = Int(benchEnvironment["SIEM_KAFKA_BENCH_COUNT"] ?? "") ?? 200_000
        let size = Int(benchEnvironment["SIEM_KAFKA_BENCH_SIZE"] ?? "") ?? 1_500
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("ingest-events", partitions: 3)
        let producer = try makeProducer(cluster, messageTimeout: .seconds(120))
        // One buffer, sliced per message like a page the poller cuts events out of.
        var page = [UInt8](repeating: UInt8(ascii: "x"), count: size * 100)
        for index in stride(from: 0, to: page.count, by: 97) { page[index] = UInt8(ascii: "a") + UInt8(index % 26) }
        let headers = [KafkaHeader(name: "source", value: "bench")]
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
        let seconds = Double((end - start).components.attoseconds) / 1e18 + Double((end - start).components.seconds)
        print(
            "kafka bench: \(count) × \(size) B: enqueue \(produced - start), total \(end - start), "
                + "\(Int(Double(count) / seconds)) msg/s, \(Int(Double(count * size) / seconds / 1e6)) MB/s")
    }
}

let benchEnvironment: [String: String] = {
    var result: [String: String] = [:]
    for key in ["SIEM_KAFKA_BENCH", "SIEM_KAFKA_BENCH_COUNT", "SIEM_KAFKA_BENCH_SIZE"] {
        if let value = getenv(key) { result[key] = String(cString: value) }
    }
    return result
}()

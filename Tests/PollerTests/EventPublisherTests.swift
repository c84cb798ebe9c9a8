import Testing
import JSONBytes
import Kafka
import KafkaDevTools
import Poller
import Providers
import UTCTime

/// What EventPublisher puts on Kafka: per event the normalized JSON, the event id as key and
/// the four origin headers, also when origin, log type or ingestion time change between events
/// (it prepares what events share once and must never reuse it for other events).
@Suite struct EventPublisherTests {
    @Test func messagesMatchTheWriterWhateverChangesBetweenEvents() throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("events", partitions: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.properties["log_level"] = "2"
        let publisher = EventPublisher(producer: try KafkaProducer(configuration: configuration), topic: "events")
        let a = EventOrigin(tenantID: "tenant-a", sourceID: "source-1", platform: "Microsoft365")
        let b = EventOrigin(tenantID: "tenant-b", sourceID: "source-1", platform: "Microsoft365")
        let c = EventOrigin(tenantID: "tenant-b", sourceID: "source-2", platform: "AzureAD")
        // (origin, log type, ingested at), in publishing order: each field changes alone once.
        let steps = [
            (a, "audit_log", "2024-05-14T09:20:00Z"), (a, "audit_log", "2024-05-14T09:20:00Z"),
            (a, "audit_log", "2024-05-14T09:20:01Z"), (a, "sign_in", "2024-05-14T09:20:01Z"),
            (b, "sign_in", "2024-05-14T09:20:01Z"), (c, "sign_in", "2024-05-14T09:20:01Z"),
            (EventOrigin(tenantID: "tenant-b", sourceID: "source-2", platform: "GCP"), "sign_in", "2024-05-14T09:20:01Z"),
        ]
        var expected: [(key: String, value: [UInt8], headers: [KafkaHeader])] = []
        publisher.beginBatch()
        for (index, (origin, logType, ingestedAt)) in steps.enumerated() {
            let event = ProviderEvent(
                id: "event-\(index)", time: UTCTimestamp(microseconds: 1_715_677_953_000_000 + Int64(index)),
                logType: logType, fields: EventFields(result: .success),
                raw: try RawJSON(validating: #"{"n":\#(index)}"#))
            try publisher.publish(event, origin: origin, ingestedAt: ingestedAt)
            var writer = JSONWriter()
            NormalizedEventWriter.write(event, origin: origin, ingestedAt: ingestedAt, into: &writer)
            expected.append((event.id, writer.bytes, [
                KafkaHeader(name: "tenant_id", value: origin.tenantID), KafkaHeader(name: "source_id", value: origin.sourceID),
                KafkaHeader(name: "platform", value: origin.platform), KafkaHeader(name: "log_type", value: logType),
            ]))
        }
        try publisher.confirm(timeout: .seconds(30))

        let reader = try KafkaTopicReader(bootstrapServers: cluster.bootstrapServers, properties: ["log_level": "2"])
        let records = try reader.readAll(topic: "events", timeout: .seconds(30)).sorted { $0.offset < $1.offset }
        try #require(records.count == expected.count)
        for (record, want) in zip(records, expected) {
            #expect(record.key == Array(want.key.utf8))
            #expect(String(decoding: record.value, as: UTF8.self) == String(decoding: want.value, as: UTF8.self))
            #expect(record.headers == want.headers)
        }
    }
}

import Dispatch
import Glibc
import Kafka
import KafkaDevTools
import Synchronization
import Testing

/// Several workers on one producer, each with its own DeliveryBatch: a batch's report counts
/// only its own messages, whatever the others' fate.
@Suite("One KafkaProducer shared by batches")
struct SharedProducerTests {
    @Test("two threads, two batches: each report counts only its own messages")
    func countsOwnMessagesOnly() throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("t", partitions: 4)
        let producer = try makeProducer(cluster)
        let counts = [700, 300]
        let reports = try inParallel(counts.count) { index throws(KafkaError) in
            let batch = producer.makeDeliveryBatch()
            try produceKeyed(producer, batch: batch, topic: "t", prefix: "w\(index)", count: counts[index])
            return try producer.awaitDeliveries(of: batch, timeout: .seconds(30))
        }
        for (report, count) in zip(reports, counts) {
            #expect(report.produced == count && report.delivered == count && report.allDelivered, "\(report)")
        }
        #expect(producer.deliveryReport.produced == 0, "the single-user batch saw none of them")
        let inTopic = try keyCounts(cluster, topic: "t")
        #expect(inTopic.count == 1_000 && inTopic.values.allSatisfy { $0 == 1 })
    }

    @Test("one batch's failed deliveries do not fail another batch on the same producer")
    func failuresStayInTheirBatch() throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("good", partitions: 2)
        try cluster.createTopic("denied", partitions: 2)
        cluster.setTopicError("denied", error: .topicAuthorizationFailed)
        let producer = try makeProducer(cluster, messageTimeout: .seconds(5))
        let good = producer.makeDeliveryBatch()
        let denied = producer.makeDeliveryBatch()
        let reports = try inParallel(2) { index throws(KafkaError) in
            let batch = index == 0 ? good : denied
            try produceKeyed(producer, batch: batch, topic: index == 0 ? "good" : "denied", prefix: "k\(index)", count: 200)
            return try producer.awaitDeliveries(of: batch, timeout: .seconds(20))
        }
        #expect(reports[0].produced == 200 && reports[0].delivered == 200 && reports[0].allDelivered, "\(reports[0])")
        #expect(reports[0].firstError == nil)
        #expect(reports[1].produced == 200 && reports[1].delivered == 0 && reports[1].failed == 200, "\(reports[1])")
        // Refused by metadata, or timed out waiting for usable metadata: librdkafka decides which.
        #expect([.topicAuthorizationFailed, .messageTimedOut].contains(reports[1].firstError?.kafkaCode), "\(reports[1])")
        #expect(producer.fatalError == nil)
    }

    @Test("a reset batch ignores late reports of its previous generation; the other batch is untouched")
    func resetIgnoresLateReportsPerBatch() throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("t", partitions: 1)
        let producer = try makeProducer(cluster, messageTimeout: .seconds(3))
        let first = producer.makeDeliveryBatch()
        let second = producer.makeDeliveryBatch()
        try produceKeyed(producer, batch: first, topic: "t", prefix: "warm", count: 1)
        #expect(try producer.awaitDeliveries(of: first, timeout: .seconds(20)).allDelivered)

        // The old generation's 20 messages time out (failed reports) after the reset.
        try cluster.setBrokerDown(1)
        first.reset()
        try produceKeyed(producer, batch: first, topic: "t", prefix: "old", count: 20)
        first.reset()
        try produceKeyed(producer, batch: second, topic: "t", prefix: "other", count: 7)
        let secondDown = try producer.awaitDeliveries(of: second, timeout: .seconds(15))
        #expect(secondDown.produced == 7 && secondDown.failed == 7, "\(secondDown)")
        #expect(first.report.produced == 0 && first.report.failed == 0, "late reports counted: \(first.report)")

        try cluster.setBrokerUp(1)
        second.reset()
        try produceKeyed(producer, batch: first, topic: "t", prefix: "new", count: 5)
        let report = try producer.awaitDeliveries(of: first, timeout: .seconds(30))
        #expect(report.produced == 5 && report.delivered == 5 && report.allDelivered, "\(report)")
        #expect(second.report.produced == 0 && second.report.outstanding == 0, "\(second.report)")
    }

    @Test("a full local queue makes producers wait for space, then deliver everything")
    func queueFullWaitsForSpace() throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("t", partitions: 2)
        let producer = try makeProducer(cluster) { $0.queueMaxMessages = 20 }
        let reports = try inParallel(2) { index throws(KafkaError) in
            let batch = producer.makeDeliveryBatch()
            try produceKeyed(producer, batch: batch, topic: "t", prefix: "q\(index)", count: 500)
            return try producer.awaitDeliveries(of: batch, timeout: .seconds(30))
        }
        for report in reports { #expect(report.produced == 500 && report.allDelivered, "\(report)") }
    }

    @Test("a message refused by a full queue is not counted: the batch waits only for what was queued")
    func queueFullRefusalIsNotCounted() throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("t", partitions: 1)
        let producer = try makeProducer(cluster, messageTimeout: .seconds(2)) {
            $0.queueMaxMessages = 5
            $0.queueFullWait = .milliseconds(300)
        }
        try cluster.setBrokerDown(1)
        let batch = producer.makeDeliveryBatch()
        try produceKeyed(producer, batch: batch, topic: "t", prefix: "fits", count: 5)
        do {
            try produceKeyed(producer, batch: batch, topic: "t", prefix: "over", count: 1)
            Issue.record("a sixth message fit a queue of five")
        } catch {
            #expect(error.code == .queueFull, "\(error)")
        }
        let report = try producer.awaitDeliveries(of: batch, timeout: .seconds(15))
        #expect(report.produced == 5 && report.failed == 5 && report.outstanding == 0, "\(report)")
    }

    @Test("a fatal producer error fails every waiting batch at once, and later ones")
    func fatalErrorFailsAll() throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("t", partitions: 1)
        let producer = try makeProducer(cluster)
        let batches = [producer.makeDeliveryBatch(), producer.makeDeliveryBatch()]
        try cluster.setBrokerDown(1)  // keeps the messages outstanding while the batches wait
        for (index, batch) in batches.enumerated() {
            try produceKeyed(producer, batch: batch, topic: "t", prefix: "b\(index)", count: 10)
        }
        let started = ContinuousClock.now
        let outcomes = try inParallel(2) { index -> Result<DeliveryReport, KafkaError> in
            if index == 0 {
                // Let both waiters block first.
                usleep(300_000)
                producer.raiseFatalErrorForTesting("test: fenced")
            }
            return Result { () throws(KafkaError) in try producer.awaitDeliveries(of: batches[index], timeout: .seconds(20)) }
        }
        #expect(ContinuousClock.now - started < .seconds(10), "waiters must wake on the fatal error")
        for outcome in outcomes {
            guard case .failure(let error) = outcome else {
                Issue.record("a batch did not fail: \(outcome)")
                continue
            }
            #expect(error.code == .fatal)
        }
        #expect(throws: KafkaError.self) {
            try producer.awaitDeliveries(of: producer.makeDeliveryBatch(), timeout: .seconds(1))
        }
        #expect(throws: KafkaError.self) { try producer.produce(topic: "t", key: nil, value: [1], batch: batches[0]) }
    }
}

/// Runs `body(0..<count)` on `count` threads at once and returns the results in order.
private func inParallel<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let results = Mutex<[Int: Result<T, any Error>]>([:])
    DispatchQueue.concurrentPerform(iterations: count) { index in
        let result = Result { try body(index) }
        results.withLock { $0[index] = result }
    }
    let all = results.withLock { $0 }
    return try (0..<count).map { try all[$0]!.get() }
}

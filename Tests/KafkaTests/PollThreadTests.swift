@testable import Kafka
import CRdKafka
import Glibc
import KafkaDevTools
import Testing

@Suite("The producer's poll thread")
struct PollThreadTests {
    /// librdkafka's `rd_kafka_yield` only acts inside a callback on the calling thread; a
    /// stop that relied on it waited out the poll thread's whole `rd_kafka_poll` timeout
    /// (100 ms at the end of every poller run). A 10 s timeout makes that unmistakable.
    @Test("stop() ends a poll in progress at once instead of waiting out its timeout")
    func stopInterruptsAPollInProgress() throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        let properties = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers).librdkafkaProperties
            + [("log_level", "2")]
        let handle = try makeRdKafka(RD_KAFKA_PRODUCER, conf: makeRdKafkaConf(properties), properties: properties)
        defer { rd_kafka_destroy(handle) }
        let thread = try PollThread(handle: handle, pollTimeoutMilliseconds: 10_000)
        // While someone waits the thread polls; 200 ms is ample for it to be inside the poll.
        try thread.whileWaiting { () throws(KafkaError) in usleep(200_000) }
        let started = ContinuousClock.now
        thread.stop()
        let took = ContinuousClock.now - started
        #expect(took < .seconds(2), "stop() took \(took)")
    }
}

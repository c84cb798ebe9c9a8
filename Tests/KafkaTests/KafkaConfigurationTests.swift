import Kafka
import KafkaDevTools
import Testing

@Suite("Configuration, error codes, control protocol")
struct KafkaConfigurationTests {
    @Test(
        "extra properties may not weaken delivery",
        arguments: [
            ("acks", "1"), ("acks", "0"), ("enable.idempotence", "false"), ("message.timeout.ms", "0"),
            ("message.timeout.ms", "99999999"), ("dr_msg_cb", "x"),
        ])
    func rejected(key: String, value: String) {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:9")
        configuration.properties[key] = value
        #expect(throws: KafkaError.self) { try configuration.validate() }
    }

    @Test("matching enforced values and pass-through properties are accepted")
    func accepted() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:9")
        configuration.properties = [
            "acks": "-1", "enable.idempotence": "true", "security.protocol": "plaintext",
            "message.timeout.ms": "5000",
        ]
        configuration.compression = .lz4
        try configuration.validate()
        _ = try KafkaProducer(configuration: configuration)
    }

    @Test("KAFKA_* environment names map to librdkafka properties")
    func environmentMapping() {
        let properties = KafkaProducerConfiguration.properties(fromEnvironment: [
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SSL_CA_LOCATION": "/etc/kafka/ca.pem", "KAFKA_LOG__LEVEL": "3", "KAFKA_A___B": "x",
            "KAFKA_": "ignored", "PATH": "/bin",
        ])
        #expect(properties == [
            "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "ssl.ca.location": "/etc/kafka/ca.pem",
            "log_level": "3", "a-b": "x",
        ])
    }

    @Test("bounded message timeout")
    func messageTimeoutBounds() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:9")
        configuration.messageTimeout = .zero
        #expect(throws: KafkaError.self) { try configuration.validate() }
        configuration.messageTimeout = .seconds(3600)
        #expect(throws: KafkaError.self) { try configuration.validate() }
    }

    @Test("librdkafka rejections become invalidConfiguration without echoing secret values")
    func librdkafkaRejection() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:9")
        configuration.properties["sasl.password.bogus"] = "hunter2-secret"
        do {
            _ = try KafkaProducer(configuration: configuration)
            Issue.record("expected failure")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(!error.description.contains("hunter2"))
        }
        configuration.properties = ["sasl.password": "hunter2-secret"]
        #expect(!configuration.description.contains("hunter2"))
    }

    @Test(
        "no librdkafka error repeats a value, whatever the property's name (only the name is shown)",
        arguments: [
            ["security.protocol": "canary-4f1e9b"],
            ["ssl.endpoint.identification.algorithm": "canary-4f1e9b"],
            ["debug": "canary-4f1e9b"],
            // Refused by rd_kafka_new, not by rd_kafka_conf_set.
            ["security.protocol": "sasl_plaintext", "sasl.mechanism": "canary-4f1e9b"],
        ])
    func noValueInErrors(properties: [String: String]) {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:9")
        configuration.properties = properties
        do {
            _ = try KafkaProducer(configuration: configuration)
            Issue.record("expected failure")
        } catch {
            #expect(!error.description.contains("canary-4f1e9b"))
            #expect(!error.debugDescription.contains("canary-4f1e9b"))
            #expect(properties.keys.contains { error.message.contains($0) || error.message.contains("mechanism") })
        }
    }

    @Test("error code names")
    func codes() {
        #expect(KafkaResponseCode(name: "NOT_ENOUGH_REPLICAS") == .notEnoughReplicas)
        #expect(KafkaResponseCode(name: "not_enough_replicas") == .notEnoughReplicas)
        #expect(KafkaResponseCode(name: "RD_KAFKA_RESP_ERR__MSG_TIMED_OUT") == .messageTimedOut)
        #expect(KafkaResponseCode(name: "_TRANSPORT") == .transport)
        #expect(KafkaResponseCode(name: "19") == .notEnoughReplicas)
        #expect(KafkaResponseCode(name: "99999") == nil)
        #expect(KafkaResponseCode(name: "NO_SUCH_THING") == nil)
        #expect(KafkaResponseCode.notEnoughReplicas.name == "NOT_ENOUGH_REPLICAS")
        #expect(!KafkaResponseCode.messageTimedOut.description.isEmpty)
        let error = KafkaError(.delivery, "message delivery failed", kafkaCode: .messageTimedOut)
        #expect(error.description.contains("_MSG_TIMED_OUT"))
        #expect(error.kafkaErrorName == "_MSG_TIMED_OUT")
    }

    @Test(
        "control protocol replies",
        arguments: [
            ("ping", "ok pong"),
            ("  ping  ", "ok pong"),
            ("broker-down 1", "ok broker 1 down"),
            ("broker-up 1", "ok broker 1 up"),
            ("broker-down 7", "error"),
            ("broker-down x", "error"),
            ("produce-errors 5 NOT_ENOUGH_REPLICAS", "ok 5 NOT_ENOUGH_REPLICAS"),
            ("produce-errors 2 19", "ok 2 NOT_ENOUGH_REPLICAS"),
            ("produce-errors 0 19", "error"),
            ("produce-errors 5 BOGUS", "error unknown error code BOGUS"),
            ("clear-produce-errors", "ok cleared"),
            ("create-topic audit.v1 4", "ok topic audit.v1 4"),
            ("create-topic ../etc 4", "error"),
            ("create-topic t 0", "error"),
            ("set-leader audit.v1 0 1", "ok audit.v1/0 leader 1"),
            ("broker-rtt 1 5", "ok broker 1 rtt 5"),
            ("", "error empty command"),
            ("ping extra", "error wrong number"),
            ("rm -rf /", "error unknown command rm"),
        ])
    func control(line: String, expectedPrefix: String) throws {
        let control = KafkaMockControl(cluster: try sharedCluster())
        let reply = control.handle(line)
        #expect(reply.hasPrefix(expectedPrefix), "\(line) → \(reply)")
        #expect(!reply.contains("\n"))
    }
}

extension KafkaConfigurationTests {
    @Test("control protocol bounds line length")
    func controlLineTooLong() throws {
        let control = KafkaMockControl(cluster: try sharedCluster())
        #expect(control.handle(String(repeating: "a", count: 5000)) == "error line too long")
        #expect(control.handle("\u{0}\u{7f}\u{1b}[31m") .hasPrefix("error unknown command"))
    }
}

private let cluster = Result { try KafkaMockCluster(brokers: 1) }
private func sharedCluster() throws -> KafkaMockCluster { try cluster.get() }

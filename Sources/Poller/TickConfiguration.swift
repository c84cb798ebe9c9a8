public import Providers
public import Secrets
public import Kafka
public import SourceModel

/// Everything a poller run needs, read from the environment by the executable
/// and checked once with `validate()`.
public struct TickConfiguration: Sendable {
    public var databaseURL: String
    public var keyRing: MasterKeyRing
    public var kafka: KafkaProducerConfiguration
    public var topic: String = "ingest-events"
    /// Extra PEM CAs trusted on top of the system store (national clouds, proxies, tests).
    public var caBundlePath: String?
    /// Which hosts a source's endpoints may name (SIEM_PROVIDER_HOST_ALLOWLIST).
    public var providerHosts = ProviderHostPolicy()
    /// Sources polled at once, each on its own thread, connection and producer.
    public var concurrency: Int = 4
    /// At most this many due sources per run.
    public var maxSources: Int = 1000
    /// No new source or slice starts after this many seconds (cron runs every minute).
    public var deadlineSeconds: Double = 50
    /// Poll this source now, whatever its schedule.
    public var forcedSourceID: String?
    public var maxConsecutiveFailures: Int = 10
    public var retry = RetryPolicy()
    /// How long a slice waits for Kafka's acknowledgements before it fails.
    public var deliveryTimeoutSeconds: Double = 30

    public init(databaseURL: String, keyRing: MasterKeyRing, kafka: KafkaProducerConfiguration) {
        self.databaseURL = databaseURL
        self.keyRing = keyRing
        self.kafka = kafka
    }

    /// One line naming the first bad value, or nil.
    public func validationError() -> String? {
        if !(1...64).contains(concurrency) { return "--concurrency must be 1 to 64" }
        if maxSources < 1 { return "--max-sources must be at least 1" }
        if !(1...3600).contains(deadlineSeconds) { return "--deadline must be 1 to 3600 seconds" }
        if topic.isEmpty { return "KAFKA_TOPIC must not be empty" }
        if maxConsecutiveFailures < 1 { return "SIEM_MAX_CONSECUTIVE_FAILURES must be at least 1" }
        return nil
    }
}

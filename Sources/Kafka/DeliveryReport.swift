/// Delivery outcome of the messages of one ``DeliveryBatch`` produced since its last
/// ``DeliveryBatch/reset()`` (or ``KafkaProducer/resetDeliveryCounters()`` for the producer's own).
///
/// A checkpoint may move only when ``allDelivered`` is true: every produced message was
/// acknowledged by the cluster (with `acks=all`) and none failed or is still in flight.
public struct DeliveryReport: Sendable, CustomStringConvertible {
    /// Messages accepted by `produce` in this batch.
    public var produced: Int
    /// Messages the cluster acknowledged.
    public var delivered: Int
    /// Messages that were reported failed (timed out, rejected, purged).
    public var failed: Int
    /// The first failure of the batch, with librdkafka's error code and text.
    public var firstError: KafkaError?

    /// Messages with no delivery report yet.
    public var outstanding: Int { produced - delivered - failed }
    /// True when every produced message was acknowledged.
    public var allDelivered: Bool { failed == 0 && outstanding == 0 }

    /// Creates a report (mostly for tests and fakes).
    public init(produced: Int = 0, delivered: Int = 0, failed: Int = 0, firstError: KafkaError? = nil) {
        self.produced = produced
        self.delivered = delivered
        self.failed = failed
        self.firstError = firstError
    }

    public var description: String {
        var text = "produced=\(produced) delivered=\(delivered) failed=\(failed) outstanding=\(outstanding)"
        if let firstError { text += " firstError=\(firstError)" }
        return text
    }
}

/// Something librdkafka reported outside of a delivery report: a client error (broker
/// down, authentication failure, fatal idempotence error) or a log line.
public struct KafkaClientEvent: Sendable, CustomStringConvertible {
    /// Error or log line.
    public enum Kind: Sendable, Hashable {
        /// From the error callback. Most are transient (librdkafka retries by itself).
        case error
        /// From the log callback (only routed when an event handler is installed).
        case log
    }

    /// Error or log line.
    public var kind: Kind
    /// syslog severity (3 = error, 4 = warning, 6 = info, 7 = debug).
    public var level: Int
    /// librdkafka's facility (log lines) or error name (errors).
    public var facility: String
    /// librdkafka's text. Contains broker addresses, never message contents.
    public var message: String
    /// The error code, for ``Kind/error``.
    public var code: KafkaResponseCode?
    /// True for a fatal error: the producer must be recreated.
    public var isFatal: Bool

    public var description: String {
        "\(kind == .error ? "error" : "log") level=\(level) \(facility): \(message)\(isFatal ? " (fatal)" : "")"
    }
}

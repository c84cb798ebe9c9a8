public import Providers

/// Where a stream's events go, in batches: published, then confirmed as a whole before the
/// checkpoint moves. Kafka in production (`EventPublisher`), a list in tests
/// (TestSupport's `RecordingEventSink`).
public protocol EventSink: AnyObject {
    /// Events published since `beginBatch` (what the next `confirm` covers).
    var published: Int { get }
    /// Events of the batch sent with `raw_log` cut to fit the message size limit.
    var truncated: Int { get }
    /// Starts a new batch: the next `confirm` covers only what is published after this.
    func beginBatch()
    func publish(_ event: ProviderEvent, origin: EventOrigin, ingestedAt: String) throws(ProviderError)
    /// Returns once every event of the batch is acknowledged; throws `.deliveryFailed` otherwise.
    func confirm(timeout: Duration) throws(ProviderError)
}

extension EventPublisher: EventSink {}

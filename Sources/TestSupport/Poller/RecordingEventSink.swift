public import Poller
public import Providers

/// An `EventSink` that keeps what was published, in order, and what was confirmed; `confirm`
/// can be told to fail with `.deliveryFailed` (Kafka did not acknowledge the batch).
public final class RecordingEventSink: EventSink {
    public struct Published {
        public var event: ProviderEvent
        public var origin: EventOrigin
        public var ingestedAt: String
    }

    /// Every event published, confirmed or not, in order.
    public private(set) var all: [Published] = []
    /// The events of confirmed batches, in order.
    public private(set) var confirmed: [ProviderEvent] = []
    public private(set) var published = 0
    public private(set) var truncated = 0
    public private(set) var confirmations = 0
    private var batch: [ProviderEvent] = []
    private var failures: [ProviderError] = []
    private let journal: CallJournal?

    public init(journal: CallJournal? = nil) { self.journal = journal }

    /// The ids of every event published, in order.
    public var publishedIDs: [String] { all.map(\.event.id) }
    public var confirmedIDs: [String] { confirmed.map(\.id) }

    /// The next `confirm` throws (a `.deliveryFailed` error naming `reason`); the batch stays unconfirmed.
    public func failNextConfirm(_ reason: String = "scripted: broker down") {
        failures.append(ProviderError(.deliveryFailed, reason))
    }

    public func beginBatch() {
        published = 0
        truncated = 0
        batch = []
    }

    public func publish(_ event: ProviderEvent, origin: EventOrigin, ingestedAt: String) throws(ProviderError) {
        all.append(Published(event: event, origin: origin, ingestedAt: ingestedAt))
        batch.append(event)
        published += 1
        journal?.note("publish \(event.id)")
    }

    public func confirm(timeout: Duration) throws(ProviderError) {
        if !failures.isEmpty {
            journal?.note("confirm failed")
            throw failures.removeFirst()
        }
        confirmations += 1
        confirmed += batch
        journal?.note("confirm \(batch.count)")
        batch = []
    }
}

@available(*, unavailable)
extension RecordingEventSink: Sendable {}

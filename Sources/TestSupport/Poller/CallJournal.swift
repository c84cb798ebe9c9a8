/// One ordered record of what the fakes were asked to do, shared by a `RecordingEventSink` and
/// an `InMemoryCheckpointStore`, so a test can check the order across them (a checkpoint saved
/// only after Kafka confirmed): e.g. `["publish a", "publish b", "confirm 2", "save audit"]`.
public final class CallJournal {
    public private(set) var entries: [String] = []
    public init() {}
    public func note(_ entry: String) { entries.append(entry) }
}

@available(*, unavailable)
extension CallJournal: Sendable {}

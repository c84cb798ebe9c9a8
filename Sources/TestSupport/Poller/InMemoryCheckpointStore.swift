public import Catalog
public import Poller

/// A `CheckpointStore` in a dictionary: keeps the `CursorState` of each source × stream, records
/// every save in order, and can be told to fail the next save as a lost lock or a failed write.
public final class InMemoryCheckpointStore: CheckpointStore {
    public struct Save: Equatable {
        public var sourceID: String
        public var stream: String
        public var state: CursorState
    }

    private struct Key: Hashable {
        var sourceID: String
        var stream: String
    }

    private var states: [Key: CursorState] = [:]
    /// Every successful save, in order.
    public private(set) var saves: [Save] = []
    /// Saves refused by `failNextSave`.
    public private(set) var refused = 0
    private var nextFailure: CheckpointSaveError?
    private let journal: CallJournal?

    public init(journal: CallJournal? = nil) { self.journal = journal }

    /// The stored state, or nil when nothing was saved.
    public func state(sourceID: String, stream: String) -> CursorState? {
        states[Key(sourceID: sourceID, stream: stream)]
    }

    /// Stores a state as if a previous run had saved it (not recorded in `saves`).
    public func seed(_ state: CursorState, sourceID: String, stream: String) {
        states[Key(sourceID: sourceID, stream: stream)] = state
    }

    /// The next save throws `error` and stores nothing (`.lockLost` or `.failed`).
    public func failNextSave(with error: CheckpointSaveError) { nextFailure = error }

    public func save(_ state: CursorState, sourceID: String, stream: String) throws(CheckpointSaveError) {
        if let failure = nextFailure {
            nextFailure = nil
            refused += 1
            journal?.note("save \(stream) refused")
            throw failure
        }
        states[Key(sourceID: sourceID, stream: stream)] = state
        saves.append(Save(sourceID: sourceID, stream: stream, state: state))
        journal?.note("save \(stream)")
    }
}

@available(*, unavailable)
extension InMemoryCheckpointStore: Sendable {}

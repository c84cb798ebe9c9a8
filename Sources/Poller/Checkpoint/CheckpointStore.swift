public import Catalog

/// Where a stream's checkpoint is kept: PostgreSQL under the source's advisory lock in
/// production (`LockedSourceStore`), a dictionary in tests (TestSupport's `InMemoryCheckpointStore`).
public protocol CheckpointStore: AnyObject {
    /// Stores `state` as `cursor[stream]` of the source. Called only after Kafka acknowledged
    /// every event up to it.
    func save(_ state: CursorState, sourceID: String, stream: String) throws(CheckpointSaveError)
}

/// A checkpoint that was not saved.
public enum CheckpointSaveError: Error, Sendable, CustomStringConvertible {
    /// Another poller may own the source now: this one must stop writing.
    case lockLost(String)
    /// The store failed (connection, statement): the events were delivered, the checkpoint not.
    case failed(String)

    public var description: String {
        switch self {
        case .lockLost(let message), .failed(let message): message
        }
    }
}

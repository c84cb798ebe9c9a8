public import Catalog
public import Storage

extension LockedSourceStore: CheckpointStore {
    public func save(_ state: CursorState, sourceID: String, stream: String) throws(CheckpointSaveError) {
        do {
            try saveCheckpoint(sourceID: sourceID, stream: stream, checkpointJSON: state.jsonText)
        } catch {
            throw error.code == .lockLost ? .lockLost(error.message) : .failed(error.description)
        }
    }
}

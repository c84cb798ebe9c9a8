public import JSONBytes
internal import UTCTime

/// A stream's stored state: the checkpoint plus the slice size that suits it.
public struct CursorState: Sendable, Equatable {
    public var checkpoint: StreamCheckpoint?
    public var sliceSeconds: Int64?

    public init(checkpoint: StreamCheckpoint?, sliceSeconds: Int64?) {
        self.checkpoint = checkpoint
        self.sliceSeconds = sliceSeconds
    }

    /// Reads `cursor[stream]`; a missing entry starts from the lookback, an unreadable one throws.
    public init(cursor: JSONValue?, stream: String) throws(CheckpointError) {
        let entry = cursor?[stream]
        checkpoint = try StreamCheckpoint(json: entry)
        sliceSeconds = entry?["slice_seconds"]?.intValue.map(Int64.init)
    }

    /// The stored form of `cursor[stream]` (the seen ids oldest first, so a reader sees the order).
    public var jsonText: String {
        guard let checkpoint else { return "{}" }
        var writer = JSONWriter(reservingCapacity: 128 + checkpoint.seen.count * 64)
        writer.beginObject()
        writer.key("watermark"); writer.string(checkpoint.watermark.rfc3339)
        if let resume = checkpoint.resumeAt { writer.key("resume_at"); writer.string(resume.rfc3339) }
        if let late = checkpoint.lateFrom { writer.key("late_from"); writer.string(late.rfc3339) }
        if let end = checkpoint.pendingEnd, let top = checkpoint.pendingTop {
            writer.key("pending_end"); writer.string(end.rfc3339)
            writer.key("pending_top"); writer.string(top.rfc3339)
        }
        if let sliceSeconds { writer.key("slice_seconds"); writer.int(Int(sliceSeconds)) }
        writer.key("seen_count"); writer.int(checkpoint.seen.count)
        writer.key("seen")
        writer.beginObject()
        for (id, time) in checkpoint.seen.sorted(by: { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
            writer.key(id); writer.string(time.rfc3339)
        }
        writer.endObject()
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

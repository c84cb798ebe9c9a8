public import UTCTime
public import JSONBytes

/// Where one stream (source × log type) stands: every event whose time is before
/// `watermark - overlap` has been delivered; events at or after that line that
/// were delivered are remembered in `seen` so a re-read of the overlap window
/// (which catches late-arriving events) does not deliver them twice.
///
/// After a partial read of a slice (the run's time ran out mid-slice, in a stream read
/// oldest first), `resumeAt` is where the next read continues, without re-reading the
/// overlap behind it, so a stream whose overlap holds more than one run can read still
/// moves every run. `lateFrom` marks the earliest time whose late arrivals such a partial
/// read may not have seen: once the stream is caught up, one read re-covers it.
///
/// A stream read newest first that ran out of time mid-slice has delivered the slice's top,
/// from `pendingEnd` up to `pendingTop`: the next read covers only what lies below
/// `pendingEnd`, and once that is done the watermark moves to `pendingTop`.
public struct StreamCheckpoint: Sendable, Equatable {
    public var watermark: UTCTimestamp
    /// Dedupe id → event time, for events inside the overlap window behind the watermark
    /// (and from `lateFrom` on, while it is set).
    public var seen: [String: UTCTimestamp]
    public var resumeAt: UTCTimestamp?
    public var lateFrom: UTCTimestamp?
    /// Newest first, read in part: events after this time (up to `pendingTop`) are delivered.
    public var pendingEnd: UTCTimestamp?
    /// Newest first, read in part: the end of the slice being read, where the watermark goes next.
    public var pendingTop: UTCTimestamp?

    public init(watermark: UTCTimestamp, seen: [String: UTCTimestamp] = [:], resumeAt: UTCTimestamp? = nil,
                lateFrom: UTCTimestamp? = nil, pendingEnd: UTCTimestamp? = nil, pendingTop: UTCTimestamp? = nil) {
        self.watermark = watermark
        self.seen = seen
        self.resumeAt = resumeAt
        self.lateFrom = lateFrom
        self.pendingEnd = pendingEnd
        self.pendingTop = pendingTop
    }

    /// Reads a stored checkpoint (`{"watermark":"…","seen":{"id":"time",…}}`, see `CursorState`).
    /// Throws when an entry is present but unreadable: starting over from the lookback would
    /// silently re-send or skip days of events.
    public init?(json value: JSONValue?) throws(CheckpointError) {
        guard let value, value != .object([]), value != .null else { return nil }
        guard let text = value["watermark"]?.stringValue, let watermark = UTCTimestamp(rfc3339: text) else {
            throw CheckpointError("has no readable watermark")
        }
        var seen: [String: UTCTimestamp] = [:]
        if let stored = value["seen"] {
            guard case .object(let members) = stored else { throw CheckpointError("'seen' is not an object") }
            // An unreadable entry is dropped, not fatal: at worst that one event is delivered again.
            for member in members {
                if let time = member.value.stringValue.flatMap(UTCTimestamp.init(rfc3339:)) { seen[member.key] = time }
            }
        }
        func optionalTime(_ name: String) throws(CheckpointError) -> UTCTimestamp? {
            guard let stored = value[name], stored != .null else { return nil }
            guard let time = stored.stringValue.flatMap(UTCTimestamp.init(rfc3339:)) else {
                throw CheckpointError("'\(name)' is not a timestamp")
            }
            return time
        }
        let pendingEnd = try optionalTime("pending_end"), pendingTop = try optionalTime("pending_top")
        guard (pendingEnd == nil) == (pendingTop == nil) else {
            throw CheckpointError("has only one of 'pending_end' and 'pending_top'")
        }
        self.init(watermark: watermark, seen: seen, resumeAt: try optionalTime("resume_at"),
                  lateFrom: try optionalTime("late_from"), pendingEnd: pendingEnd, pendingTop: pendingTop)
    }
}

/// A stored checkpoint that cannot be read.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "stored checkpoint \(reason)" }
}

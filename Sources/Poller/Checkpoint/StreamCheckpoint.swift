public import UTCTime
public import JSONBytes

/// Where one stream (source × log type) stands: every event whose time is before
/// `watermark - overlap` has been delivered; events at or after that line that
/// were delivered are remembered in `seen` so a re-read of the overlap window
/// (which catches late-arriving events) does not deliver them twice.
public struct StreamCheckpoint: Sendable, Equatable {
    public var watermark: UTCTimestamp
    /// Dedupe id → event time, for events inside the overlap window behind the watermark.
    public var seen: [String: UTCTimestamp]

    public init(watermark: UTCTimestamp, seen: [String: UTCTimestamp] = [:]) {
        self.watermark = watermark
        self.seen = seen
    }

    /// Reads a stored checkpoint (`{"watermark":"…","seen":{"id":"time",…}}`, see `CursorState`); nil when it is missing or unreadable (the
    /// caller then starts from the initial lookback and says so in the log).
    public init?(json value: JSONValue?) {
        guard let value, let text = value["watermark"]?.stringValue,
              let watermark = UTCTimestamp(rfc3339: text) else { return nil }
        var seen: [String: UTCTimestamp] = [:]
        if case .object(let members)? = value["seen"] {
            for member in members {
                if let time = member.value.stringValue.flatMap(UTCTimestamp.init(rfc3339:)) { seen[member.key] = time }
            }
        }
        self.init(watermark: watermark, seen: seen)
    }
}

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

    /// `{"watermark":"…","seen":{"id":"time",…}}` (stored in `cloud_api_sources.cursor`).
    public func write(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("watermark"); writer.string(watermark.rfc3339)
        writer.key("seen")
        writer.beginObject()
        for (id, time) in seen.sorted(by: { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
            writer.key(id); writer.string(time.rfc3339)
        }
        writer.endObject()
        writer.endObject()
    }

    public var json: [UInt8] {
        var writer = JSONWriter(reservingCapacity: 64 + seen.count * 64)
        write(into: &writer)
        return writer.bytes
    }

    /// Reads a stored checkpoint; nil when it is missing or unreadable (the
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

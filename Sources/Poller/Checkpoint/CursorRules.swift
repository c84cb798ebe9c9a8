public import UTCTime

/// A half-open span of event time, `[start, end]` as the provider filters it
/// (bounds inclusive on the wire; duplicates at the edges are removed by `seen`).
public struct TimeWindow: Sendable, Equatable, CustomStringConvertible {
    public var start: UTCTimestamp
    public var end: UTCTimestamp
    public init(start: UTCTimestamp, end: UTCTimestamp) {
        self.start = start
        self.end = end
    }
    public var description: String { "[\(start.rfc3339), \(end.rfc3339)]" }
}

/// The cursor rules, as pure decisions (no I/O), shared by every provider:
/// - the first poll starts `initialLookback` ago;
/// - each poll re-reads `overlap` behind the watermark, so late events are caught;
/// - a backlog is worked in slices of at most `maxSlice`, oldest first, each slice
///   committed on its own, so progress survives a crash and memory stays bounded;
/// - an event already in `seen` is skipped; after a slice the watermark moves to
///   the slice's end and `seen` keeps only what the next overlap will re-read.
public struct CursorRules: Sendable, Equatable {
    public var initialLookbackSeconds: Int64
    public var overlapSeconds: Int64
    public var maxSliceSeconds: Int64

    public init(initialLookbackSeconds: Int64 = 24 * 3600, overlapSeconds: Int64 = 30 * 60,
                maxSliceSeconds: Int64 = 3600) {
        self.initialLookbackSeconds = initialLookbackSeconds
        self.overlapSeconds = overlapSeconds
        self.maxSliceSeconds = maxSliceSeconds
    }

    public func initialCheckpoint(now: UTCTimestamp) -> StreamCheckpoint {
        StreamCheckpoint(watermark: now.adding(seconds: -initialLookbackSeconds))
    }

    /// The next slice to read, or nil when the stream is caught up to `now`.
    /// `sliceSeconds` lets the caller shrink slices that turned out to be dense.
    public func nextWindow(after checkpoint: StreamCheckpoint, now: UTCTimestamp, sliceSeconds: Int64? = nil) -> TimeWindow? {
        guard checkpoint.watermark < now else { return nil }
        let slice = max(60, min(sliceSeconds ?? maxSliceSeconds, maxSliceSeconds))
        let end = min(now, checkpoint.watermark.adding(seconds: slice))
        return TimeWindow(start: checkpoint.watermark.adding(seconds: -overlapSeconds), end: end)
    }

    /// Whether the slice ending at `end` brings the stream up to `now`.
    public func isCaughtUp(sliceEnd end: UTCTimestamp, now: UTCTimestamp) -> Bool { end >= now }

    /// The line behind a watermark from which events must be remembered.
    public func rememberFrom(watermark: UTCTimestamp) -> UTCTimestamp { watermark.adding(seconds: -overlapSeconds) }

    /// The checkpoint after every event of `window` was delivered and acknowledged.
    /// `delivered` holds the slice's events at or after `rememberFrom(window.end)`.
    public func advance(_ checkpoint: StreamCheckpoint, through window: TimeWindow,
                        delivered: [String: UTCTimestamp]) -> StreamCheckpoint {
        let watermark = max(checkpoint.watermark, window.end)
        let keepFrom = rememberFrom(watermark: watermark)
        var seen: [String: UTCTimestamp] = [:]
        seen.reserveCapacity(checkpoint.seen.count + delivered.count)
        for (id, time) in checkpoint.seen where time >= keepFrom { seen[id] = time }
        for (id, time) in delivered where time >= keepFrom { seen[id] = time }
        return StreamCheckpoint(watermark: watermark, seen: seen)
    }
}

/// Tracks one slice's deliveries: drops events already delivered by a previous
/// poll (and repeats within the slice's remembered tail), and remembers only the
/// tail the next overlap re-reads, so memory is bounded by the overlap window, not
/// the slice. A repeat earlier in a dense slice is delivered again (same key).
public struct SliceDeduplicator: Sendable {
    private let previous: [String: UTCTimestamp]
    private let rememberFrom: UTCTimestamp
    public private(set) var delivered: [String: UTCTimestamp] = [:]
    public private(set) var skipped = 0

    public init(checkpoint: StreamCheckpoint, window: TimeWindow, rules: CursorRules) {
        previous = checkpoint.seen
        rememberFrom = rules.rememberFrom(watermark: max(checkpoint.watermark, window.end))
    }

    /// True when the event should be delivered now (and records it).
    public mutating func admit(id: String, time: UTCTimestamp) -> Bool {
        if previous[id] != nil || delivered[id] != nil {
            skipped += 1
            return false
        }
        if time >= rememberFrom { delivered[id] = time }
        return true
    }
}

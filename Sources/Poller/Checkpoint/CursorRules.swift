public import Providers
public import Catalog
public import UTCTime
internal import SourceModel

/// The cursor rules, as pure decisions (no I/O), shared by every provider:
/// - the first poll starts `initialLookback` ago;
/// - each poll re-reads `overlap` behind the watermark, so late events are caught;
/// - a backlog is worked in slices of at most `maxSlice`, oldest first, each slice
///   committed on its own, so progress survives a crash and memory stays bounded;
/// - a stream read oldest first also commits inside a slice (`progress`), and the next
///   read resumes there without the overlap, so a dense stream still moves every run;
/// - a stream read newest first commits the slice's delivered top (`recede`), and the next
///   read covers only what lies below it; the watermark moves once that is done;
/// - an event already in `seen` is skipped; after a slice the watermark moves to
///   the slice's end and `seen` keeps only what the next reads re-read, at most
///   `maxSeen` ids (the newest): past that, a re-read may repeat an event, never lose one;
/// - a window starts where the API can be asked to start (`startResolutionMicroseconds`, e.g.
///   whole seconds), and `seen` reaches back that far: the API answers from the start of that
///   second, and an event earlier in it must not be delivered twice.
public struct CursorRules: Sendable, Equatable {
    public var initialLookbackSeconds: Int64
    public var overlapSeconds: Int64
    public var maxSliceSeconds: Int64
    public var maxSeen: Int
    public var startResolutionMicroseconds: Int64

    /// The catalog's default of `dedup_max_ids`.
    public static let defaultMaxSeen = SettingsSchema.dedupMaxIDs

    public init(initialLookbackSeconds: Int64 = 24 * 3600, overlapSeconds: Int64 = 30 * 60,
                maxSliceSeconds: Int64 = 3600, maxSeen: Int = CursorRules.defaultMaxSeen,
                startResolutionMicroseconds: Int64 = 1) {
        self.initialLookbackSeconds = initialLookbackSeconds
        self.overlapSeconds = overlapSeconds
        self.maxSliceSeconds = maxSliceSeconds
        self.maxSeen = max(1, maxSeen)
        self.startResolutionMicroseconds = max(1, startResolutionMicroseconds)
    }

    /// `time` rounded down to where the API can be asked to start.
    public func startLine(_ time: UTCTimestamp) -> UTCTimestamp {
        let r = startResolutionMicroseconds, m = time.microseconds
        return UTCTimestamp(microseconds: m - ((m % r) + r) % r)
    }

    public func initialCheckpoint(now: UTCTimestamp) -> StreamCheckpoint {
        StreamCheckpoint(watermark: now.adding(seconds: -initialLookbackSeconds))
    }

    /// The next slice to read, or nil when the stream is caught up to `now`.
    /// `sliceSeconds` lets the caller shrink slices that turned out to be dense.
    public func nextWindow(after checkpoint: StreamCheckpoint, now: UTCTimestamp, sliceSeconds: Int64? = nil) -> TimeWindow? {
        // The rest of a slice read newest first: everything below its delivered top.
        if let pendingEnd = checkpoint.pendingEnd {
            return TimeWindow(start: startLine(min(checkpoint.watermark.adding(seconds: -overlapSeconds), pendingEnd)), end: pendingEnd)
        }
        guard checkpoint.watermark < now else { return nil }
        let slice = max(60, min(sliceSeconds ?? maxSliceSeconds, maxSliceSeconds))
        let end = min(now, checkpoint.watermark.adding(seconds: slice))
        if let resume = checkpoint.resumeAt {
            return TimeWindow(start: startLine(resume), end: end)
        }
        var start = checkpoint.watermark.adding(seconds: -overlapSeconds)
        // Once caught up, re-cover what partial reads may have missed, in one read.
        if let late = checkpoint.lateFrom, end >= now { start = min(start, late) }
        return TimeWindow(start: startLine(start), end: end)
    }

    /// Whether the slice ending at `end` brings the stream up to `now`.
    public func isCaughtUp(sliceEnd end: UTCTimestamp, now: UTCTimestamp) -> Bool { end >= now }

    /// The line behind a watermark from which events must be remembered.
    public func rememberFrom(watermark: UTCTimestamp) -> UTCTimestamp { startLine(watermark.adding(seconds: -overlapSeconds)) }

    /// The line from which a checkpoint must remember delivered events.
    func rememberFrom(_ checkpoint: StreamCheckpoint) -> UTCTimestamp {
        let line = rememberFrom(watermark: checkpoint.watermark)
        return checkpoint.lateFrom.map { min(startLine($0), line) } ?? line
    }

    /// The checkpoint after every event of `window` was delivered and acknowledged.
    /// `delivered` holds the slice's events at or after `rememberFrom(window.end)`.
    public func advance(_ checkpoint: StreamCheckpoint, through window: TimeWindow,
                        delivered: [String: UTCTimestamp]) -> StreamCheckpoint {
        // The rest of a slice read newest first completes that whole slice.
        var next = StreamCheckpoint(watermark: max(checkpoint.watermark, checkpoint.pendingTop ?? window.end))
        // A read that started at or before `lateFrom` has re-covered it.
        if let late = checkpoint.lateFrom, window.start > late { next.lateFrom = late }
        next.seen = remembered(checkpoint.seen, delivered, from: rememberFrom(next))
        return next
    }

    /// The checkpoint after part of `window`, read oldest first, was delivered and
    /// acknowledged: every event up to `through` (the newest acknowledged time; events at
    /// that very time are in `delivered`). The next read resumes at `through`; events from
    /// `readAt - overlap` on may still arrive late there and are re-covered once caught up.
    public func progress(_ checkpoint: StreamCheckpoint, within window: TimeWindow, through: UTCTimestamp,
                         delivered: [String: UTCTimestamp], readAt: UTCTimestamp) -> StreamCheckpoint {
        let position = max(window.start, min(through, window.end))
        var next = StreamCheckpoint(watermark: max(checkpoint.watermark, position), resumeAt: position)
        // A read that started at or before the old late line has re-covered it up to here.
        var late = checkpoint.lateFrom.flatMap { window.start <= $0 ? nil : $0 }
        let mayStillArrive = max(window.start, readAt.adding(seconds: -overlapSeconds))
        if mayStillArrive <= position { late = late.map { min($0, mayStillArrive) } ?? mayStillArrive }
        next.lateFrom = late
        // The read resumes at `position` inclusive: the events at that instant must be remembered.
        next.seen = remembered(checkpoint.seen, delivered, from: min(rememberFrom(next), startLine(position)))
        return next
    }

    /// The checkpoint after the top of `window`, read newest first, was delivered and
    /// acknowledged: every event after `oldest` (the oldest acknowledged time; events at that
    /// very time are in `delivered`). The next read covers the slice below `oldest` only;
    /// the watermark stays until it is done, then moves to the slice's end.
    public func recede(_ checkpoint: StreamCheckpoint, within window: TimeWindow, through oldest: UTCTimestamp,
                       delivered: [String: UTCTimestamp]) -> StreamCheckpoint {
        let top = checkpoint.pendingTop ?? window.end
        let position = max(window.start, min(oldest, window.end))
        var next = checkpoint
        next.resumeAt = nil
        next.pendingEnd = position
        next.pendingTop = top
        // Remembered: what the next read covers again (the overlap behind the watermark up to
        // `position` inclusive) and the slice's newest part, which the read after the slice
        // re-reads as its overlap.
        let below = rememberFrom(checkpoint), tail = rememberFrom(watermark: top)
        next.seen = remembered(checkpoint.seen, delivered) { ($0 >= below && $0 <= position) || $0 >= tail }
        return next
    }

    /// `old` and `delivered` from `line` on, at most `maxSeen` of them (the newest).
    func remembered(_ old: [String: UTCTimestamp], _ delivered: [String: UTCTimestamp],
                    from line: UTCTimestamp) -> [String: UTCTimestamp] {
        remembered(old, delivered) { $0 >= line }
    }

    /// `old` and `delivered` whose time `keep` accepts, at most `maxSeen` of them (the newest).
    func remembered(_ old: [String: UTCTimestamp], _ delivered: [String: UTCTimestamp],
                    where keep: (UTCTimestamp) -> Bool) -> [String: UTCTimestamp] {
        var seen: [String: UTCTimestamp] = [:]
        seen.reserveCapacity(min(maxSeen, old.count + delivered.count))
        for (id, time) in old where keep(time) { seen[id] = time }
        for (id, time) in delivered where keep(time) { seen[id] = time }
        guard seen.count > maxSeen else { return seen }
        let newest = seen.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(maxSeen)
        return Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}

/// Tracks one slice's deliveries: drops events already delivered by a previous
/// poll (and repeats within the slice), and remembers what a checkpoint will need:
/// the tail the next overlap re-reads and, for progress inside a slice read oldest
/// first, the events a late arrival could still fall among. Older ones are pruned as the
/// read moves on, so memory follows the overlap window, not the slice.
public struct SliceDeduplicator: Sendable {
    private let previous: [String: UTCTimestamp]
    private let rules: CursorRules
    /// Events from here on may arrive after this read: kept for `lateFrom`.
    private let lateLine: UTCTimestamp
    /// Read newest first: the events at the oldest time are what a commit needs most.
    private let newestFirst: Bool
    public private(set) var delivered: [String: UTCTimestamp] = [:]
    public private(set) var skipped = 0
    /// The newest event time read so far, delivered now or before (for progress inside a
    /// slice read oldest first: a re-read of events delivered earlier moves on too).
    public private(set) var newest: UTCTimestamp?
    /// The oldest event time read so far (for progress inside a slice read newest first).
    public private(set) var oldest: UTCTimestamp?
    private var admittedSincePrune = 0

    /// `readAt`: when this read started (the run's "now").
    public init(checkpoint: StreamCheckpoint, window: TimeWindow, rules: CursorRules, readAt: UTCTimestamp,
                newestFirst: Bool = false) {
        previous = checkpoint.seen
        self.newestFirst = newestFirst
        self.rules = rules
        var line = max(window.start, readAt.adding(seconds: -rules.overlapSeconds))
        if let late = checkpoint.lateFrom { line = min(line, late) }
        lateLine = line
    }

    /// True when the event should be delivered now (and records it).
    public mutating func admit(id: String, time: UTCTimestamp) -> Bool {
        if newest.map({ time > $0 }) ?? true { newest = time }
        if oldest.map({ time < $0 }) ?? true { oldest = time }
        if previous[id] != nil || delivered[id] != nil {
            skipped += 1
            return false
        }
        delivered[id] = time
        admittedSincePrune += 1
        if admittedSincePrune >= 8192 { prune() }
        return true
    }

    /// Forgets what no checkpoint of this slice can need: older than both the overlap
    /// behind the newest event and the line of possible late arrivals; read newest first,
    /// except the events at the oldest time (a commit goes down to there).
    private mutating func prune() {
        admittedSincePrune = 0
        guard let newest else { return }
        let floor = rules.startLine(min(newest.adding(seconds: -rules.overlapSeconds), lateLine))
        let edge = newestFirst ? oldest : nil
        delivered = delivered.filter { $0.value >= floor || $0.value == edge }
    }
}

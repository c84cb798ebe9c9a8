internal import Storage
internal import JSONBytes
internal import UTCTime
internal import Logging

/// What one stream did in one run.
public struct StreamResult: Sendable {
    public var stream: String
    public var events = 0
    public var skippedDuplicates = 0
    public var pages = 0
    public var slices = 0
    public var backlogLeft = false
    public var error: ProviderError?
    /// The stored checkpoint's watermark after the run (lag is measured from it).
    var watermark: UTCTimestamp?
}

/// Polls one stream of one source: slice after slice, oldest first, each slice
/// read page by page, published, confirmed by Kafka, and only then checkpointed.
struct StreamPoller {
    let provider: any CloudProvider
    let stream: StreamSpec
    let rules: CursorRules
    let origin: EventOrigin
    let publisher: EventPublisher
    let store: PollerStore
    let deliveryTimeout: Duration
    /// Monotonic time after which no new slice starts.
    let softDeadline: Double
    let logger: Logger

    /// Dense slices shrink and sparse ones grow; the size is kept in the checkpoint.
    static let minSlice: Int64 = 60
    static let densePages = 50

    func poll(from stored: CursorState, now: UTCTimestamp) -> StreamResult {
        var result = StreamResult(stream: stream.name)
        var checkpoint = stored.checkpoint ?? rules.initialCheckpoint(now: now)
        var slice = stored.sliceSeconds ?? min(3600, rules.maxSliceSeconds)
        result.watermark = stored.checkpoint?.watermark
        if stored.checkpoint == nil {
            logger.info("stream starts", metadata: ["stream": "\(stream.name)", "from": "\(checkpoint.watermark.rfc3339)"])
        }
        while let window = rules.nextWindow(after: checkpoint, now: now, sliceSeconds: slice) {
            if RateLimiter.monotonicSeconds() >= softDeadline {
                result.backlogLeft = true
                break
            }
            publisher.beginBatch()
            var dedupe = SliceDeduplicator(checkpoint: checkpoint, window: window, rules: rules)
            var pages = 0
            let ingestedAt = UTCTimestamp.now().rfc3339
            do {
                try provider.read(stream, window: window) { page throws(ProviderError) in
                    pages += 1
                    for event in page.events where dedupe.admit(id: event.id, time: event.time) {
                        try publisher.publish(event, origin: origin, ingestedAt: ingestedAt)
                    }
                }
                try publisher.confirm(timeout: deliveryTimeout)
            } catch {
                if error.kind == .deadline {
                    // Not a failure: the run ran out of time mid-slice. Nothing of the slice
                    // is committed; it is read again (smaller) by the next tick.
                    saveSliceHint(checkpoint, slice: max(Self.minSlice, slice / 2))
                    result.backlogLeft = true
                } else {
                    result.error = error
                }
                return result
            }
            checkpoint = rules.advance(checkpoint, through: window, delivered: dedupe.delivered)
            if pages > Self.densePages { slice = max(Self.minSlice, slice / 2) }
            else if pages <= 1 { slice = min(rules.maxSliceSeconds, slice * 2) }
            do {
                try store.saveCheckpoint(sourceID: origin.sourceID, stream: stream.name,
                                         checkpointJSON: CursorState(checkpoint: checkpoint, sliceSeconds: slice).jsonText)
            } catch {
                result.error = ProviderError(.database, "events delivered but the checkpoint could not be saved: \(error.description)")
                return result
            }
            result.watermark = checkpoint.watermark
            result.events += publisher.published
            result.skippedDuplicates += dedupe.skipped
            result.pages += pages
            result.slices += 1
        }
        return result
    }

    private func saveSliceHint(_ checkpoint: StreamCheckpoint, slice: Int64) {
        try? store.saveCheckpoint(sourceID: origin.sourceID, stream: stream.name,
                                  checkpointJSON: CursorState(checkpoint: checkpoint, sliceSeconds: slice).jsonText)
    }
}

/// A stream's stored state: the checkpoint plus the slice size that suits it.
struct CursorState {
    var checkpoint: StreamCheckpoint?
    var sliceSeconds: Int64?

    init(checkpoint: StreamCheckpoint?, sliceSeconds: Int64?) {
        self.checkpoint = checkpoint
        self.sliceSeconds = sliceSeconds
    }

    /// Reads `cursor[stream]`; an unreadable entry starts over from the lookback (and is logged).
    init(cursor: JSONValue?, stream: String) {
        let entry = cursor?[stream]
        checkpoint = StreamCheckpoint(json: entry)
        sliceSeconds = entry?["slice_seconds"]?.intValue.map(Int64.init)
    }

    var jsonText: String {
        guard let checkpoint else { return "{}" }
        var writer = JSONWriter(reservingCapacity: 128 + checkpoint.seen.count * 64)
        writer.beginObject()
        writer.key("watermark"); writer.string(checkpoint.watermark.rfc3339)
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

public import Providers
internal import Catalog
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
    /// Events sent with `raw_log` cut to fit Kafka's message size limit.
    public var truncated = 0
    /// Records skipped because they carry no id or no time (nothing to key or checkpoint them by).
    public var dropped = 0
    /// The checkpoint and slice size the stream ended with (what was saved).
    var state: CursorState?

    /// Adds a later pass's figures over the same stream in the same run.
    mutating func merge(_ later: StreamResult) {
        events += later.events
        skippedDuplicates += later.skippedDuplicates
        pages += later.pages
        slices += later.slices
        truncated += later.truncated
        dropped += later.dropped
        backlogLeft = later.backlogLeft
        error = error ?? later.error
        state = later.state ?? state
    }

    /// The checkpoint's watermark after the run (lag is measured from it).
    var watermark: UTCTimestamp? { state?.checkpoint?.watermark }
}

/// Polls one stream of one source: slice after slice, oldest first, each slice
/// read page by page, published, confirmed by Kafka, and only then checkpointed.
/// A stream read in time order (oldest or newest first) also commits at page boundaries
/// (every `progressInterval` and when its share of the run's time is used up), so a
/// slice too dense for one run still moves its checkpoint every run.
struct StreamRun {
    let provider: any CloudProvider
    let stream: StreamSpec
    let rules: CursorRules
    let origin: EventOrigin
    let publisher: any EventSink
    let store: any CheckpointStore
    /// The database's clock: event reads are stamped with it.
    let clock: DatabaseClock
    let deliveryTimeout: Duration
    /// Monotonic time after which this stream starts no new slice and, when read oldest
    /// first, stops at the next page boundary: its share of the run.
    let softDeadline: Double
    /// When other streams of the source wait: pages after which a stream read oldest first
    /// commits and yields its turn (the streams often share one request budget).
    var pagesPerTurn: Int?
    let logger: Logger
    /// The monotonic clock `softDeadline` and the progress interval are measured on (the
    /// limiter's clock, so a fake one in tests drives them without sleeping).
    var monotonic: @Sendable () -> Double = RateLimiter.monotonicSeconds

    /// Dense slices shrink and sparse ones grow; the size is kept in the checkpoint.
    static let minSlice: Int64 = 60
    static let densePages = 50
    /// How often a long slice read oldest first commits its progress (seconds).
    static let progressInterval: Double = 5

    /// Thrown from the page sink to stop reading when the stream's turn or time is used up.
    private static let outOfTime = ProviderError(.deadline, "the stream's share of the run is used up")
    /// Pages a stream reads in one turn while other streams of its source wait.
    static let defaultPagesPerTurn = 2

    /// Whether a stream read oldest first ends its turn once `pages` pages of it are delivered
    /// at monotonic time `clock`: past its share of the run, or after its turn's pages.
    func turnEnds(afterPages pages: Int, at clock: Double) -> Bool {
        clock >= softDeadline || pagesPerTurn.map { pages >= $0 } == true
    }

    func poll(from stored: CursorState, now: UTCTimestamp) -> StreamResult {
        var result = StreamResult(stream: stream.name)
        var checkpoint = stored.checkpoint ?? rules.initialCheckpoint(now: now)
        var slice = stored.sliceSeconds ?? min(3600, rules.maxSliceSeconds)
        if stored.checkpoint == nil {
            logger.info("stream starts", metadata: ["stream": "\(stream.name)", "from": "\(checkpoint.watermark.rfc3339)"])
        }
        let progressive = stream.order != .unspecified
        var pagesThisTurn = 0
        while let window = rules.nextWindow(after: checkpoint, now: now, sliceSeconds: slice) {
            if monotonic() >= softDeadline {
                result.backlogLeft = true
                break
            }
            publisher.beginBatch()
            var dedupe = SliceDeduplicator(checkpoint: checkpoint, window: window, rules: rules, readAt: now,
                                           newestFirst: stream.order == .newestFirst)
            var pages = 0
            var lastCommit = monotonic()
            var committedWithin = false
            let ingestedAt = clock.now().rfc3339
            /// Confirms what was published and commits the progress: up to the newest acknowledged
            /// event when read oldest first, down to the oldest when read newest first.
            func commitProgress() throws(ProviderError) {
                guard progressive, let newest = dedupe.newest, let oldest = dedupe.oldest,
                      publisher.published > 0 || dedupe.skipped > 0 else { return }
                try publisher.confirm(timeout: deliveryTimeout)
                let moved = stream.order == .newestFirst
                    ? rules.recede(checkpoint, within: window, through: oldest, delivered: dedupe.delivered)
                    : rules.progress(checkpoint, within: window, through: newest, delivered: dedupe.delivered, readAt: now)
                try save(moved, slice: slice)
                checkpoint = moved
                committedWithin = true
                result.events += publisher.published
                result.truncated += publisher.truncated
                publisher.beginBatch()
                lastCommit = monotonic()
            }
            do {
                // The page after the one being delivered is read ahead only if this turn will
                // take it (the same rule the sink applies once that page is delivered).
                let wantsNextPage = { !progressive || !turnEnds(afterPages: pagesThisTurn + 1, at: monotonic()) }
                try provider.read(stream, window: window, wantsNextPage: wantsNextPage) { page throws(ProviderError) in
                    pages += 1
                    pagesThisTurn += 1
                    result.dropped += page.dropped
                    for event in page.events where dedupe.admit(id: event.id, time: event.time) {
                        try publisher.publish(event, origin: origin, ingestedAt: ingestedAt)
                    }
                    guard progressive else { return }
                    let clock = monotonic()
                    if turnEnds(afterPages: pagesThisTurn, at: clock) {
                        try commitProgress()
                        throw Self.outOfTime
                    }
                    if clock - lastCommit >= Self.progressInterval { try commitProgress() }
                }
                try publisher.confirm(timeout: deliveryTimeout)
            } catch {
                result.pages += pages
                result.skippedDuplicates += dedupe.skipped
                if error.kind == .deadline {
                    // Not a failure: the run (or the stream's share of it) ran out of time
                    // mid-slice. What was read in time order is committed; the rest of the
                    // slice is read (smaller) by the next tick.
                    if error.message != Self.outOfTime.message {
                        do {
                            try commitProgress()
                        } catch {
                            result.error = error
                            result.state = CursorState(checkpoint: checkpoint, sliceSeconds: slice)
                            return result
                        }
                    }
                    if !committedWithin { saveSliceHint(checkpoint, slice: max(Self.minSlice, slice / 2)) }
                    result.backlogLeft = true
                } else {
                    // Keep what Kafka acknowledged before the provider failed. Not after our own side
                    // failed: a delivery failure keeps nothing, and a refused save (lock lost, database)
                    // came from a commit: writing again would write after losing the lock.
                    if !error.isInfrastructure && error.kind != .lockLost { try? commitProgress() }
                    result.error = error
                }
                result.state = CursorState(checkpoint: checkpoint, sliceSeconds: slice)
                return result
            }
            checkpoint = rules.advance(checkpoint, through: window, delivered: dedupe.delivered)
            if pages > Self.densePages { slice = max(Self.minSlice, slice / 2) }
            else if pages <= 1 { slice = min(rules.maxSliceSeconds, slice * 2) }
            do {
                try save(checkpoint, slice: slice)
            } catch {
                result.error = error
                result.state = CursorState(checkpoint: checkpoint, sliceSeconds: slice)
                return result
            }
            result.events += publisher.published
            result.truncated += publisher.truncated
            result.skippedDuplicates += dedupe.skipped
            result.pages += pages
            result.slices += 1
        }
        result.state = CursorState(checkpoint: checkpoint, sliceSeconds: slice)
        return result
    }

    private func save(_ checkpoint: StreamCheckpoint, slice: Int64) throws(ProviderError) {
        do {
            try store.save(CursorState(checkpoint: checkpoint, sliceSeconds: slice), sourceID: origin.sourceID, stream: stream.name)
        } catch {
            // A poller that lost its lock must stop writing: another may own the source now.
            switch error {
            case .lockLost(let message): throw ProviderError(.lockLost, message)
            case .failed(let description):
                throw ProviderError(.database, "events delivered but the checkpoint could not be saved: \(description)")
            }
        }
    }

    private func saveSliceHint(_ checkpoint: StreamCheckpoint, slice: Int64) {
        try? save(checkpoint, slice: slice)
    }
}

import Testing
import UTCTime
import JSONBytes
@testable import Poller
import Catalog
import Providers

/// Progress inside a slice read newest first (CloudTrail; reliability issue #11, item 1).
@Suite struct CursorRecedeTests {
    let rules = CursorRules(initialLookbackSeconds: 86_400, overlapSeconds: 1800, maxSliceSeconds: 3600)

    @Test func theNextReadCoversOnlyWhatLiesBelowTheDeliveredTop() throws {
        let window = TimeWindow(start: at(-1800), end: at(3600))
        let next = rules.recede(StreamCheckpoint(watermark: at(0), seen: ["old": at(-100)]), within: window,
                                through: at(2000), delivered: ["edge": at(2000), "mid": at(2500), "top": at(3500)])
        #expect(next.watermark == at(0))          // nothing below the top is delivered yet
        #expect(next.pendingEnd == at(2000) && next.pendingTop == at(3600))
        // Kept: the overlap the next read covers again, the edge it re-reads, the top's tail
        // (from 3600 - overlap on, which the read after the slice re-reads).
        #expect(next.seen == ["old": at(-100), "edge": at(2000), "mid": at(2500), "top": at(3500)])
        let far = rules.recede(StreamCheckpoint(watermark: at(0)), within: TimeWindow(start: at(-1800), end: at(9000)),
                               through: at(2000), delivered: ["edge": at(2000), "between": at(5000), "top": at(8000)])
        #expect(far.seen == ["edge": at(2000), "top": at(8000)])
        let rest = try #require(rules.nextWindow(after: next, now: at(3700)))
        #expect(rest == TimeWindow(start: at(-1800), end: at(2000)))
    }

    @Test func readingTheRestCompletesTheWholeSlice() throws {
        let pending = StreamCheckpoint(watermark: at(0), seen: ["edge": at(2000), "top": at(3500)],
                                       pendingEnd: at(2000), pendingTop: at(3600))
        let rest = try #require(rules.nextWindow(after: pending, now: at(3700)))
        // A second partial read moves the edge further down and keeps the slice's top.
        let deeper = rules.recede(pending, within: rest, through: at(1000), delivered: ["low": at(1000)])
        #expect(deeper.pendingEnd == at(1000) && deeper.pendingTop == at(3600))
        #expect(deeper.seen["top"] == at(3500) && deeper.seen["low"] == at(1000))
        let done = rules.advance(deeper, through: TimeWindow(start: at(-1800), end: at(1000)), delivered: ["a": at(10)])
        #expect(done.watermark == at(3600) && done.pendingEnd == nil && done.pendingTop == nil)
        #expect(done.seen == ["edge": at(2000), "top": at(3500)])   // what the next overlap (from 1800) re-reads
    }

    /// A dense stream read newest first, a run reading at most `pagesPerRun` pages: every run
    /// moves the checkpoint (the delivered edge down, or the watermark up), and every event is
    /// delivered exactly once.
    @Test func aDenseStreamReadNewestFirstDeliversEachEventOnce() throws {
        let rules = CursorRules(initialLookbackSeconds: 7200, overlapSeconds: 1800, maxSliceSeconds: 3600)
        let start = at(0)
        var events: [(id: String, time: UTCTimestamp)] = (0..<14_400).map { ("e\($0)", start.adding(seconds: Int64($0 / 2))) }
        events += (0..<36).map { ("tie\($0)", start.adding(seconds: 3000)) }
        // Newest first; ties in any order.
        events.sort { $0.time > $1.time || ($0.time == $1.time && $0.id < $1.id) }
        var now = start.adding(seconds: 7200)
        var checkpoint = rules.initialCheckpoint(now: now)
        var deliveries: [String: Int] = [:]
        let pageSize = 100, pagesPerRun = 20
        var runs = 0
        for _ in 0..<60 {
            guard let window = rules.nextWindow(after: checkpoint, now: now) else { break }
            runs += 1
            let before = checkpoint
            var dedupe = SliceDeduplicator(checkpoint: checkpoint, window: window, rules: rules, readAt: now,
                                           newestFirst: true)
            let read = events.filter { $0.time >= window.start && $0.time <= window.end }
            let pages = stride(from: 0, to: read.count, by: pageSize).map { Array(read[$0..<min($0 + pageSize, read.count)]) }
            for page in pages.prefix(pagesPerRun) {
                for event in page where dedupe.admit(id: event.id, time: event.time) { deliveries[event.id, default: 0] += 1 }
            }
            if pages.count <= pagesPerRun {
                checkpoint = rules.advance(checkpoint, through: window, delivered: dedupe.delivered)
            } else {
                checkpoint = rules.recede(checkpoint, within: window, through: try #require(dedupe.oldest),
                                          delivered: dedupe.delivered)
            }
            let movedDown = checkpoint.pendingEnd.map { end in before.pendingEnd.map { end < $0 } ?? true } ?? false
            #expect(movedDown || checkpoint.watermark > before.watermark)
            now = now.adding(seconds: 60)
        }
        #expect(runs > 7)
        #expect(deliveries.count == events.count)
        #expect(deliveries.values.allSatisfy { $0 == 1 })
    }

    @Test func aStoredPendingSliceRoundTripsAndHalfOfOneIsRefused() throws {
        let pending = StreamCheckpoint(watermark: at(0), pendingEnd: at(20), pendingTop: at(60))
        let text = CursorState(checkpoint: pending, sliceSeconds: 60).jsonText
        let back = try CursorState(cursor: .parse(Array("{\"s\":\(text)}".utf8)), stream: "s")
        #expect(back.checkpoint == pending)
        #expect(throws: CheckpointError.self) {
            try CursorState(cursor: .parse(Array(#"{"s":{"watermark":"2026-01-01T00:00:00Z","pending_end":"2026-01-01T00:00:00Z"}}"#.utf8)),
                            stream: "s")
        }
    }
}

import Testing
import UTCTime
@testable import Poller
import Catalog
import Providers

/// Progress inside a slice read oldest first (reliability issue #11, item 1).
@Suite struct CursorProgressTests {
    let rules = CursorRules(initialLookbackSeconds: 86_400, overlapSeconds: 1800, maxSliceSeconds: 3600)

    @Test func inABacklogTheNextReadResumesWhereThisOneStopped() throws {
        let window = TimeWindow(start: at(-1800), end: at(3600))
        let next = rules.progress(StreamCheckpoint(watermark: at(0)), within: window, through: at(1000),
                                  delivered: ["a": at(999), "b": at(1000)], readAt: at(100_000))
        #expect(next.watermark == at(1000) && next.resumeAt == at(1000))
        #expect(next.lateFrom == nil)  // read a day later: nothing there can still arrive
        #expect(next.seen == ["a": at(999), "b": at(1000)])
        let resumed = try #require(rules.nextWindow(after: next, now: at(100_000)))
        #expect(resumed.start == at(1000))  // not 1000 - overlap
    }

    @Test func nearNowThePartlyReadSpanIsReCoveredOnceCaughtUp() throws {
        let window = TimeWindow(start: at(-1800), end: at(3600))
        let partial = rules.progress(StreamCheckpoint(watermark: at(0)), within: window, through: at(1000),
                                     delivered: ["x": at(500)], readAt: at(2000))
        #expect(partial.lateFrom == at(200))  // events from readAt - overlap on may still arrive
        #expect(partial.seen["x"] == at(500))
        // Still behind: the late span waits, progress goes on.
        #expect(rules.nextWindow(after: StreamCheckpoint(watermark: at(1000), seen: [:], lateFrom: at(200)),
                                 now: at(100_000))?.start == at(-800))
        // Caught up: one read re-covers it.
        let sweep = try #require(rules.nextWindow(after: StreamCheckpoint(watermark: at(3600), lateFrom: at(200)), now: at(3700)))
        #expect(sweep.start == at(200))
        let after = rules.advance(StreamCheckpoint(watermark: at(3600), lateFrom: at(200)), through: sweep, delivered: [:])
        #expect(after.lateFrom == nil && after.resumeAt == nil)
    }

    @Test func theWatermarkNeverMovesBackDuringAReRead() {
        let window = TimeWindow(start: at(1800), end: at(4000))
        let next = rules.progress(StreamCheckpoint(watermark: at(3600)), within: window, through: at(2000),
                                  delivered: [:], readAt: at(4000))
        #expect(next.watermark == at(3600) && next.resumeAt == at(2000))
    }

    @Test func seenIsBoundedByCountKeepingTheNewest() {
        let small = CursorRules(overlapSeconds: 1800, maxSeen: 3)
        let delivered = (0..<10).reduce(into: [String: UTCTimestamp]()) { $0["e\($1)"] = at(Int64($1)) }
        let next = small.advance(StreamCheckpoint(watermark: at(0)), through: TimeWindow(start: at(0), end: at(60)),
                                 delivered: delivered)
        #expect(next.seen == ["e7": at(7), "e8": at(8), "e9": at(9)])
    }

    /// A dense stream read oldest first, a run reading at most `pagesPerRun` pages: the
    /// watermark moves every run, every event is delivered exactly once.
    @Test func aDenseStreamMovesEveryRunAndDeliversEachEventOnce() throws {
        let overlap: Int64 = 1800
        let rules = CursorRules(initialLookbackSeconds: 7200, overlapSeconds: overlap, maxSliceSeconds: 3600)
        let start = at(0)
        // 2 events a second for the two hours before the first run, all inside lookback; 36 of
        // them share one timestamp across a page boundary.
        var events: [(id: String, time: UTCTimestamp)] = (0..<14_400).map { ("e\($0)", start.adding(seconds: Int64($0 / 2))) }
        events += (0..<36).map { ("tie\($0)", start.adding(seconds: 3000)) }
        events.sort { $0.time < $1.time || ($0.time == $1.time && $0.id < $1.id) }
        var now = start.adding(seconds: 7200)
        var checkpoint = rules.initialCheckpoint(now: now)
        var deliveries: [String: Int] = [:]
        let pageSize = 100, pagesPerRun = 20
        var behindRuns: [(before: UTCTimestamp, after: UTCTimestamp)] = []
        for _ in 0..<40 {
            let before = checkpoint.watermark
            guard let window = rules.nextWindow(after: checkpoint, now: now) else { break }
            var dedupe = SliceDeduplicator(checkpoint: checkpoint, window: window, rules: rules, readAt: now)
            let read = events.filter { $0.time >= window.start && $0.time <= window.end }
            let pages = stride(from: 0, to: read.count, by: pageSize).map { Array(read[$0..<min($0 + pageSize, read.count)]) }
            if pages.count <= pagesPerRun {
                for event in read where dedupe.admit(id: event.id, time: event.time) { deliveries[event.id, default: 0] += 1 }
                checkpoint = rules.advance(checkpoint, through: window, delivered: dedupe.delivered)
            } else {
                for page in pages.prefix(pagesPerRun) {
                    for event in page where dedupe.admit(id: event.id, time: event.time) { deliveries[event.id, default: 0] += 1 }
                }
                let newest = try #require(dedupe.newest)
                checkpoint = rules.progress(checkpoint, within: window, through: newest, delivered: dedupe.delivered, readAt: now)
            }
            if before < now.adding(seconds: -120) { behindRuns.append((before, checkpoint.watermark)) }
            now = now.adding(seconds: 60)
        }
        // Every run that started behind moved the watermark (the first needs 20 runs' pages).
        #expect(behindRuns.count >= 5)
        #expect(behindRuns.allSatisfy { $0.before < $0.after })
        #expect(deliveries.count == events.count)
        #expect(deliveries.values.allSatisfy { $0 == 1 })
    }
}

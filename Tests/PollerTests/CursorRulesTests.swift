import Testing
import UTCTime
@testable import Poller
import Catalog
import Providers

@Suite struct CursorRulesTests {
    let rules = CursorRules(initialLookbackSeconds: 24 * 3600, overlapSeconds: 1800, maxSliceSeconds: 3600)

    @Test func defaultsAreTheDocumentedOnes() {
        let defaults = CursorRules()
        #expect(defaults.initialLookbackSeconds == 86_400)
        #expect(defaults.overlapSeconds == 1_800)
        #expect(defaults.maxSliceSeconds == 3_600)
    }

    @Test func firstPollStartsOneLookbackAgo() {
        let checkpoint = rules.initialCheckpoint(now: at(0))
        #expect(checkpoint.watermark == at(-86_400))
        #expect(checkpoint.seen.isEmpty)
    }

    @Test func windowRereadsTheOverlapBehindTheWatermark() {
        let window = rules.nextWindow(after: StreamCheckpoint(watermark: at(0)), now: at(600))
        #expect(window == TimeWindow(start: at(-1800), end: at(600)))
    }

    // A backlog is cut into slices; the overlap is not part of the slice length.
    @Test func backlogIsCappedAtOneSlice() {
        let window = rules.nextWindow(after: StreamCheckpoint(watermark: at(0)), now: at(100_000))
        #expect(window == TimeWindow(start: at(-1800), end: at(3600)))
    }

    @Test(arguments: [
        // (caller's hint, slice used): hints shrink the slice, never grow it past the max,
        // and never below one minute.
        (Int64?.none, Int64(3600)), (600, 600), (7200, 3600), (60, 60), (59, 60), (1, 60), (0, 60), (-5, 60),
    ] as [(Int64?, Int64)])
    func sliceHintIsClamped(hint: Int64?, slice: Int64) {
        let window = rules.nextWindow(after: StreamCheckpoint(watermark: at(0)), now: at(100_000), sliceSeconds: hint)
        #expect(window?.end == at(slice))
        #expect(window?.start == at(-1800))
    }

    @Test(arguments: [Int64(0), 10, 86_400])
    func caughtUpStreamHasNoWindow(aheadBy: Int64) {
        // A watermark at or past `now` (clock skew, or a poll in the same second) reads nothing.
        #expect(rules.nextWindow(after: StreamCheckpoint(watermark: at(aheadBy)), now: at(0)) == nil)
    }

    @Test func oneMicrosecondBehindStillGetsAWindow() {
        let now = at(0)
        let watermark = UTCTimestamp(microseconds: now.microseconds - 1)
        #expect(rules.nextWindow(after: StreamCheckpoint(watermark: watermark), now: now)?.end == now)
    }

    @Test func isCaughtUpWhenTheSliceReachesNow() {
        #expect(rules.isCaughtUp(sliceEnd: at(0), now: at(0)))
        #expect(rules.isCaughtUp(sliceEnd: at(1), now: at(0)))
        #expect(!rules.isCaughtUp(sliceEnd: at(-1), now: at(0)))
    }

    @Test func advanceMovesTheWatermarkToTheWindowEnd() {
        let window = TimeWindow(start: at(-1800), end: at(3600))
        let next = rules.advance(StreamCheckpoint(watermark: at(0)), through: window, delivered: [:])
        #expect(next.watermark == at(3600))
        #expect(next.seen.isEmpty)
    }

    @Test func advanceNeverMovesTheWatermarkBack() {
        let window = TimeWindow(start: at(-1800), end: at(100))
        let next = rules.advance(StreamCheckpoint(watermark: at(500)), through: window, delivered: [:])
        #expect(next.watermark == at(500))
    }

    // `seen` must hold exactly what the next overlap re-reads: [watermark - overlap, ...].
    @Test func advanceKeepsExactlyTheEventsTheNextOverlapRereads() {
        let old: [String: UTCTimestamp] = [
            "old-dropped": at(1799),  // one second before the new line
            "old-edge": at(1800),  // exactly on the line: re-read, so kept
            "old-kept": at(2500),
        ]
        let delivered: [String: UTCTimestamp] = [
            "new-dropped": at(100),
            "new-edge": at(1800),
            "new-kept": at(3600),
        ]
        let window = TimeWindow(start: at(-1800), end: at(3600))
        let next = rules.advance(StreamCheckpoint(watermark: at(0), seen: old), through: window, delivered: delivered)
        #expect(next.seen == [
            "old-edge": at(1800), "old-kept": at(2500), "new-edge": at(1800), "new-kept": at(3600),
        ])
    }

    @Test func advanceWithoutOverlapRemembersOnlyTheWatermarkInstant() {
        let rules = CursorRules(overlapSeconds: 0)
        let window = TimeWindow(start: at(0), end: at(60))
        let next = rules.advance(StreamCheckpoint(watermark: at(0), seen: ["a": at(0)]), through: window,
                                 delivered: ["b": at(59), "c": at(60)])
        // Windows are inclusive at both ends, so the event at the end is read again next time.
        #expect(next.seen == ["c": at(60)])
    }

    @Test func rememberFromIsOneOverlapBehind() {
        #expect(rules.rememberFrom(watermark: at(0)) == at(-1800))
    }
}

@Suite struct SliceDeduplicatorTests {
    let rules = CursorRules(overlapSeconds: 600, maxSliceSeconds: 3600)

    private func slice(watermark: Int64 = 0, seen: [String: UTCTimestamp] = [:], readAt: Int64 = 100_000) -> SliceDeduplicator {
        SliceDeduplicator(checkpoint: StreamCheckpoint(watermark: at(watermark), seen: seen),
                          window: TimeWindow(start: at(-600), end: at(3600)), rules: rules, readAt: at(readAt))
    }

    @Test func skipsEventsDeliveredByAnEarlierPoll() {
        var dedupe = slice(seen: ["a": at(-100)])
        #expect(dedupe.admitAll([("a", -100), ("b", -100)]) == [false, true])
        #expect(dedupe.skipped == 1)
    }

    // Pages can repeat a record (paging over a changing collection); the slice drops the repeat.
    @Test func skipsRepeatsWithinTheSlice() {
        var dedupe = slice()
        #expect(dedupe.admitAll([("x", 3500), ("x", 3500), ("early", 10), ("early", 10)]) == [true, false, true, false])
        #expect(dedupe.skipped == 2)
        #expect(dedupe.newest == at(3500))
    }

    // Memory follows the overlap behind the newest event (and the line of possible late
    // arrivals), not the slice: a dense slice read oldest first prunes as it goes.
    @Test func memoryFollowsTheOverlapNotTheSlice() {
        var dedupe = slice()
        for second in 0..<20_000 { _ = dedupe.admit(id: "e\(second)", time: at(Int64(second) / 10 - 600)) }
        // Pruned at least once (every 8192): nothing older than the newest minus the overlap
        // survives, beyond what the last 8192 admissions added.
        #expect(dedupe.delivered.count < 8192 + 6000)
        // Everything a checkpoint can still need (one overlap behind the newest) is there.
        #expect((13_999..<20_000).allSatisfy { dedupe.delivered["e\($0)"] != nil })
    }

    @Test func eventsThatMayStillArriveLateAreKept() {
        // Read at 1000: events from 400 on may still arrive late, so they stay remembered
        // even where they are more than an overlap behind the newest.
        var dedupe = slice(readAt: 1000)
        for second in 0..<20_000 { _ = dedupe.admit(id: "e\(second)", time: at(Int64(second) / 10 - 600)) }
        #expect((10_000..<20_000).allSatisfy { dedupe.delivered["e\($0)"] != nil })
        #expect(dedupe.delivered.count == 10_000)
    }
}

extension SliceDeduplicator {
    /// `admit` over (id, seconds after `base`) pairs; mutating calls cannot sit inside `#expect`.
    mutating func admitAll(_ events: [(String, Int64)]) -> [Bool] {
        events.map { admit(id: $0.0, time: at($0.1)) }
    }
}

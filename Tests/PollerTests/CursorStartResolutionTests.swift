import Testing
import UTCTime
@testable import Poller
import Catalog
import Providers

/// An API that takes a window's start in whole seconds (Slack `oldest`, a SOQL literal) answers
/// from the start of that second: the event earlier in it, delivered by the last poll, comes
/// back and must be known (the fleet benchmark saw 49 of 2,000 sources repeat one).
@Suite struct CursorStartResolutionTests {
    let rules = CursorRules(overlapSeconds: 600, maxSliceSeconds: 3600, startResolutionMicroseconds: 1_000_000)
    /// The first poll's "now": 0.4 s into a second.
    let polledAt = UTCTimestamp(microseconds: 1_800_000_000_400_000)

    @Test func theWindowStartsWhereTheAPICanBeAskedToStart() {
        let window = rules.nextWindow(after: StreamCheckpoint(watermark: polledAt), now: polledAt.adding(seconds: 60))
        #expect(window?.start == UTCTimestamp(seconds: 1_800_000_000 - 600))
    }

    @Test func theEventEarlierInTheStartSecondIsRememberedAndSkippedOnTheReRead() throws {
        let edge = UTCTimestamp(seconds: 1_800_000_000 - 600)          // 0.4 s before watermark - overlap
        let before = UTCTimestamp(seconds: 1_800_000_000 - 601)        // the second before: never re-read
        let first = TimeWindow(start: polledAt.adding(seconds: -3600), end: polledAt)
        let checkpoint = rules.advance(StreamCheckpoint(watermark: polledAt.adding(seconds: -3600)), through: first,
                                       delivered: ["edge": edge, "before": before])
        #expect(checkpoint.seen == ["edge": edge])
        let now = polledAt.adding(seconds: 60)
        let window = try #require(rules.nextWindow(after: checkpoint, now: now))
        var dedupe = SliceDeduplicator(checkpoint: checkpoint, window: window, rules: rules, readAt: now)
        #expect(dedupe.admit(id: "edge", time: edge) == false)
    }

    @Test func microsecondAPIsKeepTheExactLine() {
        let exact = CursorRules(overlapSeconds: 600)
        #expect(exact.rememberFrom(watermark: polledAt) == polledAt.adding(seconds: -600))
    }
}

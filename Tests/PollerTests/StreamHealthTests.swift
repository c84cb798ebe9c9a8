import JSONBytes
import SourceModel
import Testing
import UTCTime
@testable import Poller
import Catalog
import Providers

/// The rules that charge failures to what failed and announce each transition once (#11).
@Suite struct StreamHealthTests {
    let rules = StreamHealthRules(maxFailures: 3, intervalSeconds: 900, lagIntervals: 4)
    let base = UTCTimestamp(seconds: 1_800_000_000)
    func at(_ offset: Int64) -> UTCTimestamp { base.adding(seconds: offset) }
    let notFound = ProviderError(.configuration, "HTTP 404 SubscriptionNotFound")

    func polled(_ failure: ProviderError? = nil, backlog: Bool = false, watermark: Int64 = 0) -> StreamAttempt {
        .polled(failure: failure, backlogLeft: backlog, watermark: at(watermark))
    }

    @Test func aFailingStreamBacksOffThenIsDisabledAnnouncingEachTransitionOnce() {
        var health = StreamHealth()
        var activities: [String] = []
        for (run, backoff) in zip(0..<3, [1800, 3600, 0] as [Int64]) {
            let (next, changes) = rules.next(health, stream: "activity_log:x", attempt: polled(notFound, watermark: -7200),
                                             now: at(Int64(run) * 4000))
            activities += changes.map(\.activity)
            #expect(next.errorCount == run + 1)
            if run < 2 {
                #expect(next.state == .failing && next.nextAttempt == at(Int64(run) * 4000 + backoff))
            }
            health = next
        }
        #expect(health.state == .disabled && health.nextAttempt == nil)
        #expect(health.disabledReason?.hasPrefix("disabled after 3 consecutive failures; last error: configuration") == true)
        #expect(activities == ["stream_failed", "stream_disabled"])
    }

    @Test func skippedStreamsKeepTheirState() {
        var failing = StreamHealth()
        failing.state = .failing
        failing.errorCount = 1
        for attempt in [StreamAttempt.backingOff, .disabled] {
            let (next, changes) = rules.next(failing, stream: "s", attempt: attempt, now: at(0))
            #expect(next == failing && changes.isEmpty)
        }
    }

    @Test func recoveryAndLagAreTransitionsToo() {
        var failing = StreamHealth()
        failing.state = .failing
        failing.errorCount = 2
        // Recovers, but an hour and a half behind with a backlog left: recovered, then lagging.
        let (behind, first) = rules.next(failing, stream: "s", attempt: polled(backlog: true, watermark: -5400), now: at(0))
        #expect(first.map(\.activity) == ["stream_recovered", "stream_lagging"])
        #expect(behind.state == .lagging && behind.errorCount == 0 && behind.backlogRuns == 1 && behind.lagging)
        #expect(first[1].failure && first[1].reason.contains("90 min old"))
        // Still behind: nothing new to say.
        let (still, second) = rules.next(behind, stream: "s", attempt: polled(backlog: true, watermark: -4000), now: at(60))
        #expect(second.isEmpty && still.backlogRuns == 2)
        // Caught up.
        let (done, third) = rules.next(still, stream: "s", attempt: polled(watermark: 120), now: at(120))
        #expect(third.map(\.activity) == ["stream_caught_up"] && !third[0].failure)
        #expect(done.state == .ok && done.backlogRuns == 0)
    }

    @Test(arguments: [(3600, false), (3601, true)] as [(Int64, Bool)])
    func lagIsMoreThanTheIntervalsAllowed(age: Int64, lagging: Bool) {
        #expect(rules.isLagging(watermark: at(-age), now: at(0)) == lagging)
        #expect(!rules.isLagging(watermark: nil, now: at(0)))
    }

    @Test func theStoredFormRoundTrips() throws {
        var health = StreamHealth()
        health.state = .failing
        health.errorCount = 2
        health.lastError = "missing licence: \"P1\""
        health.nextAttempt = at(1800)
        health.lastAttempt = at(0)
        health.watermark = at(-60)
        health.backlogRuns = 1
        var writer = JSONWriter()
        health.write(into: &writer)
        #expect(StreamHealth(json: try JSONValue.parse(writer.bytes)) == health)
    }

    @Test func theSourceFailsOnlyWhenWhatFailedIsTheSource() {
        let one = SourceVerdict.judge(setupFailure: nil, attempts: [("a", polled(notFound)), ("b", polled())])
        #expect(one.outcome == .partial && one.error?.message.hasPrefix("a: ") == true)
        #expect(one.transitions(priorErrors: 0, maxFailures: 3).isEmpty)
        let all = SourceVerdict.judge(setupFailure: nil, attempts: [("a", polled(notFound)), ("b", .backingOff)])
        #expect(all.outcome == .failure)
        #expect(all.transitions(priorErrors: 0, maxFailures: 3).map(\.activity) == ["source_failed"])
        #expect(all.transitions(priorErrors: 1, maxFailures: 3).isEmpty)
        #expect(all.transitions(priorErrors: 2, maxFailures: 3).map(\.activity) == ["source_disabled"])
        let refused = ProviderError(.badCredentials, "invalid_client")
        let creds = SourceVerdict.judge(setupFailure: nil, attempts: [("a", polled(refused)), ("b", polled())])
        #expect(creds.outcome == .failure && creds.error?.kind == .badCredentials)
        let idle = SourceVerdict.judge(setupFailure: nil, attempts: [("a", .disabled), ("b", .backingOff)])
        #expect(idle.outcome == .idle && idle.transitions(priorErrors: 4, maxFailures: 3).isEmpty)
        let back = SourceVerdict.judge(setupFailure: nil, attempts: [("a", polled())])
        #expect(back.transitions(priorErrors: 2, maxFailures: 3).map(\.activity) == ["source_recovered"])
    }

    @Test func aHealthEventIsANormalizedEventKeyedForDeduplication() throws {
        let transition = HealthTransition(stream: "activity_log:x", activity: "stream_failed", failure: true, state: "failing",
                                          reason: "configuration: 404", errorKind: "configuration", errorCount: 1)
        let origin = EventOrigin(tenantID: "acme", sourceID: "s-1", platform: "AzureAD")
        let event = try #require(HealthEvent.make(transition, origin: origin, sourceName: "entra",
                                                  priorPoll: UTCTimestamp(rfc3339: "2026-12-04T10:00:00Z"), now: at(0)))
        #expect(event.id == "collector_health:s-1:activity_log:x:stream_failed:2026-12-04T10:00:00Z")
        var writer = JSONWriter()
        NormalizedEventWriter.write(event, origin: origin, ingestedAt: at(0).rfc3339, into: &writer)
        let value = try JSONValue.parse(writer.bytes)
        #expect(value["log_type"]?.stringValue == "collector_health" && value["result"]?.stringValue == "failure")
        #expect(value["activity"]?.stringValue == "stream_failed" && value["source"]?.stringValue == "AzureAD")
        #expect(value["raw_log"]?["reason"]?.stringValue == "configuration: 404")
        #expect(value["raw_log"]?["stream"]?.stringValue == "activity_log:x")
    }
}

import Testing
import SourceModel
import UTCTime

@Suite struct SourceHealthTests {
    let now = UTCTimestamp(seconds: 1_795_760_000)

    private func health(enabled: Bool = true, errors: Int = 0, polledAgo: Int64? = 60, nextIn: Int64? = 840,
                        expiresIn: Int64? = nil) -> SourceHealth {
        SourceHealth.classify(isEnabled: enabled, errorCount: errors,
                              lastPolled: polledAgo.map { now.adding(seconds: -$0) },
                              nextPoll: nextIn.map { now.adding(seconds: $0) },
                              credentialsExpire: expiresIn.map { now.adding(seconds: $0) }, now: now)
    }

    @Test func aSourcePolledOnScheduleIsOK() {
        #expect(health() == .ok)
        // Due now or a few minutes late is normal: the next cron tick picks it up.
        #expect(health(nextIn: 0) == .ok)
        #expect(health(nextIn: -600) == .ok)
    }

    @Test func tenMinutesPastDueIsOverdueEvenWhenNeverPolledOrFailing() {
        #expect(health(nextIn: -601) == .overdue)
        #expect(health(polledAgo: nil, nextIn: -3600) == .overdue)
        #expect(health(errors: 3, nextIn: -3600) == .overdue)
    }

    @Test func aFailedLastPollIsFailingWhileItsBackoffRuns() {
        #expect(health(errors: 1, nextIn: 1200) == .failing)
        #expect(health(errors: 1, expiresIn: 86_400) == .failing)
    }

    @Test func credentialsEndingWithinTwoWeeksAreExpiring() {
        #expect(health(expiresIn: 13 * 86_400) == .expiring)
        #expect(health(expiresIn: -1) == .expiring)
        #expect(health(expiresIn: 15 * 86_400) == .ok)
    }

    @Test func neverPolledAndNotYetDueIsPending() {
        #expect(health(polledAgo: nil, nextIn: 30) == .pending)
    }

    @Test func aDisabledSourceIsOnlyDisabled() {
        #expect(health(enabled: false, errors: 10, nextIn: -86_400, expiresIn: -1) == .disabled)
        #expect(!SourceHealth.disabled.needsAttention)
    }

    @Test func statesSortWorstFirst() {
        #expect([SourceHealth.ok, .disabled, .failing, .overdue, .pending, .expiring].sorted()
                == [.overdue, .failing, .expiring, .pending, .ok, .disabled])
        // A stream failing, disabled or lagging while the source delivers needs someone too (#11).
        #expect(SourceHealth.allCases.filter(\.needsAttention) == [.overdue, .failing, .degraded, .lagging, .expiring])
        #expect([SourceHealth.expiring, .lagging, .ok, .degraded, .failing].sorted()
                == [.failing, .degraded, .lagging, .expiring, .ok])
    }
}

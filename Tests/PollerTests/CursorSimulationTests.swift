import Testing
import JSONBytes
import UTCTime
@testable import Poller
import Catalog
import Providers

/// Property test of the cursor rules: a fake provider whose events become
/// visible late, polled many times by a loop that applies the rules the way
/// `StreamRun` does (window → read → dedupe → advance → persist), with
/// outages, backlogs, slices cut short by the deadline and slice resizing.
@Suite struct CursorSimulationTests {
    struct FakeEvent {
        var id: String
        var time: UTCTimestamp
        var visibleAt: UTCTimestamp
        var lateness: Int64 { (visibleAt.microseconds - time.microseconds) / 1_000_000 }
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var seed: UInt64
        var overlap: Int64
        var maxSlice: Int64
        var testDescription: String { "seed \(seed), overlap \(overlap) s, max slice \(maxSlice) s" }
    }

    struct Outcome {
        var deliveries: [String: Int] = [:]
        var polls = 0
        var slices = 0
        var skipped = 0
        var shrunk = false
        var backlogCarried = false
    }

    static let scenarios = [
        Scenario(seed: 1, overlap: 1800, maxSlice: 3600),
        Scenario(seed: 2, overlap: 300, maxSlice: 3600),
        Scenario(seed: 3, overlap: 600, maxSlice: 900),
        Scenario(seed: 4, overlap: 0, maxSlice: 3600),
        Scenario(seed: 5, overlap: 3600, maxSlice: 600),
    ]

    @Test(arguments: scenarios)
    func everyEventWithinTheOverlapIsDeliveredExactlyOnce(_ scenario: Scenario) throws {
        var rng = SplitMix64(seed: scenario.seed)
        let events = Self.makeEvents(overlap: scenario.overlap, rng: &rng)
        let rules = CursorRules(initialLookbackSeconds: 3600, overlapSeconds: scenario.overlap,
                                maxSliceSeconds: scenario.maxSlice)
        let outcome = try Self.run(events: events, rules: rules, rng: &rng)

        var mustArrive = 0
        for event in events {
            let count = outcome.deliveries[event.id, default: 0]
            #expect(count <= 1, "\(event.id) delivered \(count) times")
            if event.lateness <= scenario.overlap {
                mustArrive += 1
                #expect(count == 1, "\(event.id) (late by \(event.lateness) s) delivered \(count) times")
            }
        }
        // The run really exercised what it claims to.
        #expect(mustArrive > 2_000)
        #expect(outcome.slices > outcome.polls)
        #expect(outcome.skipped > 0 || scenario.overlap == 0)
        #expect(outcome.shrunk)
        #expect(outcome.backlogCarried)
    }

    /// Three days of events: most visible at once, some late within the overlap,
    /// some later than that, plus a dense burst that forces smaller slices.
    static func makeEvents(overlap: Int64, rng: inout SplitMix64) -> [FakeEvent] {
        var events: [FakeEvent] = []
        func add(_ time: UTCTimestamp) {
            let roll = Int.random(in: 0..<10, using: &rng)
            let lateness: Int64 = switch roll {
            case 0..<6: 0
            case 6..<9: Int64.random(in: 0...overlap, using: &rng)
            default: overlap + Int64.random(in: 1...7200, using: &rng)
            }
            events.append(FakeEvent(id: "ev-\(events.count)", time: time, visibleAt: time.adding(seconds: lateness)))
        }
        for _ in 0..<3_000 {
            var time = at(Int64.random(in: 0...(3 * 86_400), using: &rng))
            // Some events carry microseconds, most sit on whole seconds (and so on window edges).
            if Int.random(in: 0..<5, using: &rng) == 0 {
                time = UTCTimestamp(microseconds: time.microseconds + Int64.random(in: 1..<1_000_000, using: &rng))
            }
            add(time)
        }
        let burst = Int64.random(in: 86_400...(2 * 86_400), using: &rng)
        for _ in 0..<900 { add(at(burst + Int64.random(in: 0...600, using: &rng))) }
        return events
    }

    static let pageSize = 5
    static let slicesPerRun = 5

    static func run(events: [FakeEvent], rules: CursorRules, rng: inout SplitMix64) throws -> Outcome {
        var outcome = Outcome()
        var cursor = JSONValue.object([])
        var now = at(60)
        // Past the last event's visibility, and then until a run finds nothing left to read.
        let end = at(3 * 86_400 + 600 + 3 * 3600 + 7200)
        var caughtUp = false
        while now < end || !caughtUp {
            outcome.polls += 1
            guard outcome.polls < 20_000 else { throw SimulationError.neverCaughtUp }
            caughtUp = true
            let stored = try CursorState(cursor: cursor, stream: "s")
            var checkpoint = stored.checkpoint ?? rules.initialCheckpoint(now: now)
            var slice = stored.sliceSeconds ?? min(3600, rules.maxSliceSeconds)
            var slicesThisRun = 0
            while let window = rules.nextWindow(after: checkpoint, now: now, sliceSeconds: slice) {
                // The soft deadline: the rest of the backlog waits for the next run.
                if slicesThisRun == slicesPerRun {
                    outcome.backlogCarried = true
                    caughtUp = false
                    break
                }
                slicesThisRun += 1
                var dedupe = SliceDeduplicator(checkpoint: checkpoint, window: window, rules: rules, readAt: now)
                // Graph's filter: time within [start, end], bounds inclusive; newest first.
                let read = events
                    .filter { $0.time >= window.start && $0.time <= window.end && $0.visibleAt <= now }
                    .sorted { $0.time > $1.time }
                for event in read where dedupe.admit(id: event.id, time: event.time) {
                    outcome.deliveries[event.id, default: 0] += 1
                }
                let pages = max(1, (read.count + pageSize - 1) / pageSize)
                checkpoint = rules.advance(checkpoint, through: window, delivered: dedupe.delivered)
                if pages > StreamRun.densePages {
                    slice = max(StreamRun.minSlice, slice / 2)
                    outcome.shrunk = true
                } else if pages <= 1 {
                    slice = min(rules.maxSliceSeconds, slice * 2)
                }
                // Persist through the same JSON the cursor column holds.
                let text = #"{"s":"# + CursorState(checkpoint: checkpoint, sliceSeconds: slice).jsonText + "}"
                cursor = try JSONValue.parse(Array(text.utf8))
                outcome.slices += 1
                outcome.skipped += dedupe.skipped
            }
            // Cron every 5 to 15 minutes, with the odd outage of a few hours.
            let outage = Int.random(in: 0..<50, using: &rng) == 0
            now = now.adding(seconds: outage ? Int64.random(in: 3 * 3600...8 * 3600, using: &rng)
                                             : Int64.random(in: 300...900, using: &rng))
        }
        return outcome
    }

    enum SimulationError: Error { case neverCaughtUp }
}

import Catalog
import Logging
import Testing
import TestSupport
import UTCTime
@testable import Poller
@testable import Providers

/// `StreamRun` end to end without a network, a database or Kafka: a Graph stream over a scripted
/// transport (fake clock), an in-memory checkpoint store and a recording sink, sharing one journal
/// so the order of publish, confirm and save is checked across them.
@Suite struct StreamRunTests {
    static let credentials = #"{"tenant_id":"72f988bf-86f1-41af-91ab-2d7cd011db47","client_id":"f0e1d2c3-b4a5-4697-8887-969594939291","client_secret":"s3cr3t-s3cr3t-s3cr3t"}"#
    static let sourceID = "00000000-0000-0000-0000-000000000001"
    static let stream = "directory_audits"
    /// The run's "now": 13:00, one hour after `base`.
    static let now = at(3600)

    let journal = CallJournal()
    let sink: RecordingEventSink
    let store: InMemoryCheckpointStore
    let clock = FakeClock()
    let rules = CursorRules(initialLookbackSeconds: 3600, overlapSeconds: 600, maxSliceSeconds: 3600)

    init() {
        sink = RecordingEventSink(journal: journal)
        store = InMemoryCheckpointStore(journal: journal)
    }

    /// A transport that first answers the token request.
    func transport(onSend: (@Sendable (RecordedRequest) -> Void)? = nil) -> ScriptedTransport {
        let transport = ScriptedTransport(onSend: onSend)
        transport.expect(.post("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"), .token("t1"))
        return transport
    }

    /// Read-ahead is off unless asked for: these tests read the fake clock while a page is
    /// delivered, and a page read ahead would move it at no fixed point.
    func run(_ transport: ScriptedTransport, from stored: CursorState = CursorState(checkpoint: nil, sliceSeconds: nil),
             deadline: Double = .infinity, softDeadline: Double = .infinity, pagesPerTurn: Int? = nil,
             readAhead: Bool = false) throws -> StreamResult {
        let provider = try Microsoft365Provider(context: context(
            .microsoft365, credentials: Self.credentials, settings: #"{"streams":["directory_audits"]}"#,
            transport: transport, clock: clock, deadline: deadline, readAhead: readAhead, sourceID: Self.sourceID))
        return run(provider, from: stored, softDeadline: softDeadline, pagesPerTurn: pagesPerTurn)
    }

    /// Polls the provider's first stream at `now`, every wait and deadline on the fake clock.
    func run(_ provider: any CloudProvider, from stored: CursorState, softDeadline: Double = .infinity,
             pagesPerTurn: Int? = nil) -> StreamResult {
        var run = StreamRun(
            provider: provider, stream: provider.streams[0], rules: rules,
            origin: EventOrigin(tenantID: "acme", sourceID: Self.sourceID, platform: "test"),
            publisher: sink, store: store, clock: DatabaseClock(databaseNow: Self.now), deliveryTimeout: .seconds(1),
            softDeadline: softDeadline, pagesPerTurn: pagesPerTurn, logger: Logger(label: "test"))
        run.monotonic = { [clock] in clock.now }
        return run.poll(from: stored, now: Self.now)
    }

    var saved: CursorState? { store.state(sourceID: Self.sourceID, stream: Self.stream) }

    static func time(_ seconds: Int64) -> String { at(seconds).rfc3339 }

    @Test func eventsArePublishedInOrderAndTheCheckpointIsSavedOnlyAfterKafkaConfirmed() throws {
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600)), ("b", Self.time(1200))], next: "p2"))
        transport.expect(GraphPages.request(after: "p2"), GraphPages.directoryAudits([("c", Self.time(3300))]))
        let result = try run(transport)
        #expect(result.error == nil && result.events == 3 && result.pages == 2 && result.slices == 1)
        #expect(journal.entries == ["publish a", "publish b", "publish c", "confirm 3", "save directory_audits"])
        #expect(sink.confirmedIDs == ["a", "b", "c"])
        #expect(sink.all.allSatisfy { $0.origin.sourceID == Self.sourceID && $0.event.logType == "audit_log" })
        // Caught up to now; what the next poll's overlap re-reads is remembered.
        #expect(saved?.checkpoint?.watermark == Self.now)
        #expect(saved?.checkpoint?.seen == ["c": at(3300)])
        #expect(transport.requests[1].queryItem("$filter") == "activityDateTime ge \(Self.time(-600)) and activityDateTime le \(Self.time(3600))")
    }

    @Test func duplicatesInTheOverlapAreSkipped() throws {
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(1800), seen: ["b": at(1500)]), sliceSeconds: 3600)
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("b", Self.time(1500)), ("c", Self.time(2400)), ("c", Self.time(2400))]))
        let result = try run(transport, from: stored)
        #expect(sink.publishedIDs == ["c"])
        #expect(result.skippedDuplicates == 2 && result.events == 1)
        #expect(saved?.checkpoint?.watermark == Self.now)
    }

    @Test func aDeliveryFailureSavesNoCheckpoint() throws {
        sink.failNextConfirm()
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))]))
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600)
        let result = try run(transport, from: stored)
        #expect(result.error?.kind == .deliveryFailed)
        #expect(store.saves.isEmpty)
        #expect(journal.entries == ["publish a", "confirm failed"])
        #expect(result.state?.checkpoint?.watermark == at(0))
    }

    @Test(arguments: [
        (CheckpointSaveError.lockLost("the session holding the lock ended"), ProviderError.Kind.lockLost),
        (CheckpointSaveError.failed("connection reset"), ProviderError.Kind.database),
    ])
    func aRefusedSaveStopsTheStream(refusal: CheckpointSaveError, kind: ProviderError.Kind) throws {
        store.failNextSave(with: refusal)
        // Two hours behind: two slices, but the run stops writing after the first one's save is refused.
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(-3600)), sliceSeconds: 3600)
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(-3000))]))
        let result = try run(transport, from: stored)
        #expect(result.error?.kind == kind)
        #expect(store.saves.isEmpty && store.refused == 1)
        #expect(journal.entries == ["publish a", "confirm 1", "save directory_audits refused"])
        #expect(transport.remaining == 0 && transport.requests.count == 2)
    }

    @Test func aDenseSliceShrinks() throws {
        let transport = transport()
        let pages = StreamRun.densePages + 1
        for page in 0..<pages {
            transport.expect(GraphPages.request(after: page == 0 ? nil : "p\(page)"),
                             GraphPages.directoryAudits([("e\(page)", Self.time(Int64(page * 10)))], next: page + 1 < pages ? "p\(page + 1)" : nil))
        }
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600)
        let result = try run(transport, from: stored)
        #expect(result.error == nil && result.pages == pages)
        #expect(saved?.sliceSeconds == 1800)
        #expect(transport.remaining == 0)
    }

    @Test func aSparseSliceGrows() throws {
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(3300))]))
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(3000)), sliceSeconds: 600)
        let result = try run(transport, from: stored)
        #expect(result.error == nil && result.pages == 1)
        #expect(saved?.sliceSeconds == 1200)
        #expect(saved?.checkpoint?.watermark == Self.now)
    }

    @Test func theRunsDeadlineMidSliceCommitsWhatWasReadOldestFirst() throws {
        // Each answer takes 1.5 s of the run (under the progress interval); the deadline comes after the second page.
        let transport = transport(onSend: { [clock] _ in clock.advance(1.5) })
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))], next: "p2"))
        transport.expect(GraphPages.request(after: "p2"), GraphPages.directoryAudits([("b", Self.time(1200))], next: "p3"))
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600)
        let result = try run(transport, from: stored, deadline: clock.now + 4)
        #expect(result.error == nil && result.backlogLeft)
        #expect(journal.entries == ["publish a", "publish b", "confirm 2", "save directory_audits"])
        // The next read resumes after b, without re-reading the overlap.
        #expect(saved?.checkpoint?.watermark == at(1200) && saved?.checkpoint?.resumeAt == at(1200))
        #expect(transport.requests.count == 3)
    }

    @Test func theStreamsShareOfTheRunUsedUpStartsNoSlice() throws {
        let transport = ScriptedTransport()
        let result = try run(transport, from: CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600), softDeadline: 0)
        #expect(result.backlogLeft && result.error == nil)
        #expect(transport.requests.isEmpty && store.saves.isEmpty && sink.all.isEmpty)
    }

    @Test func aLoopingAPIStopsTheStreamWithoutMovingItsCheckpointPastWhatWasDelivered() throws {
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))], next: "p2"))
        transport.expect(GraphPages.request(after: "p2"), GraphPages.directoryAudits([("b", Self.time(1200))], next: "p2"))
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600)
        let result = try run(transport, from: stored)
        #expect(result.error?.kind == .malformedResponse)
        // What Kafka acknowledged before the failure is kept (read oldest first), nothing beyond.
        #expect(journal.entries == ["publish a", "publish b", "confirm 2", "save directory_audits"])
        #expect(saved?.checkpoint?.resumeAt == at(1200))
    }

    @Test(arguments: [
        (CheckpointSaveError.lockLost("the session holding the lock ended"), ProviderError.Kind.lockLost),
        (CheckpointSaveError.failed("connection reset"), ProviderError.Kind.database),
    ])
    func aSaveRefusedMidSliceIsNotRetried(refusal: CheckpointSaveError, kind: ProviderError.Kind) throws {
        // Other streams of the source wait: after its turn's one page the stream commits, and that save is refused.
        store.failNextSave(with: refusal)
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))], next: "p2"))
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600)
        let result = try run(transport, from: stored, pagesPerTurn: 1)
        #expect(result.error?.kind == kind)
        // Another poller may own the source now (or the database is failing): nothing more is written.
        #expect(store.saves.isEmpty)
        #expect(journal.entries == ["publish a", "confirm 1", "save directory_audits refused"])
        #expect(result.state?.checkpoint?.watermark == at(0))
    }

    @Test func aLongSliceReadOldestFirstCommitsItsProgressOnTheWay() throws {
        // Each answer takes 3 s: the progress interval (5 s) passes every other page.
        let transport = transport(onSend: { [clock] _ in clock.advance(3) })
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))], next: "p2"))
        transport.expect(GraphPages.request(after: "p2"), GraphPages.directoryAudits([("b", Self.time(1200))], next: "p3"))
        transport.expect(GraphPages.request(after: "p3"), GraphPages.directoryAudits([("c", Self.time(1800))]))
        let result = try run(transport, from: CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600))
        #expect(result.error == nil && result.events == 3 && result.slices == 1)
        // After the slice, the final save moves the watermark to the slice's end (an empty batch to confirm).
        #expect(journal.entries == ["publish a", "confirm 1", "save directory_audits",
                                    "publish b", "publish c", "confirm 2", "save directory_audits",
                                    "confirm 0", "save directory_audits"])
        #expect(store.saves.first?.state.checkpoint?.resumeAt == at(600))
        #expect(saved?.checkpoint?.watermark == Self.now && saved?.checkpoint?.resumeAt == nil)
    }

    @Test func theStreamsShareUsedUpMidSliceCommitsAndYields() throws {
        let transport = transport(onSend: { [clock] _ in clock.advance(10) })
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))], next: "p2"))
        let result = try run(transport, from: CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600),
                             softDeadline: clock.now + 15)
        #expect(result.error == nil && result.backlogLeft)
        #expect(journal.entries == ["publish a", "confirm 1", "save directory_audits"])
        #expect(saved?.checkpoint?.resumeAt == at(600))
        #expect(transport.remaining == 0)
    }

    @Test func aTurnsLastPageIsNotReadAhead() throws {
        // The turn ends after one page: the next page must not be requested meanwhile (a request
        // of the tenant's budget spent for nothing, and a pacing wait the turn would sit out).
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))], next: "p2"))
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600)
        let result = try run(transport, from: stored, pagesPerTurn: 1, readAhead: true)
        #expect(result.error == nil && result.backlogLeft)
        #expect(transport.requests.count == 2 && transport.remaining == 0)
    }

    @Test func noPageIsReadAheadPastTheStreamsShare() throws {
        let transport = transport(onSend: { [clock] _ in clock.advance(10) })
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))], next: "p2"))
        let result = try run(transport, from: CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600),
                             softDeadline: clock.now + 15, readAhead: true)
        #expect(result.error == nil && result.backlogLeft)
        #expect(transport.requests.count == 2 && transport.remaining == 0)
    }

    @Test func aWholeSliceIsReadAheadPageByPage() throws {
        let transport = transport()
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", Self.time(600))], next: "p2"))
        transport.expect(GraphPages.request(after: "p2"), GraphPages.directoryAudits([("b", Self.time(1200))], next: "p3"))
        transport.expect(GraphPages.request(after: "p3"), GraphPages.directoryAudits([("c", Self.time(1800))]))
        let result = try run(transport, readAhead: true)
        #expect(result.error == nil && result.events == 3 && result.pages == 3)
        #expect(journal.entries.filter { $0.hasPrefix("publish") } == ["publish a", "publish b", "publish c"])
        #expect(sink.confirmedIDs == ["a", "b", "c"] && transport.remaining == 0)
    }

    @Test func theRunsDeadlineMidSliceCommitsTheTopOfASliceReadNewestFirst() throws {
        // CloudTrail: LookupEvents pages come newest first; each answer takes 1.5 s of the run.
        let transport = ScriptedTransport(onSend: { [clock] _ in clock.advance(1.5) })
        transport.expect(.post("https://cloudtrail.eu-west-1.amazonaws.com/"), try .page("cloudtrail-lookupEvents-1"))
        let provider = try AWSCloudTrailProvider(context: context(
            .aws, credentials: #"{"access_key_id":"AKIAZ5EXAMPLEKEY0001","secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY","region":"eu-west-1"}"#,
            transport: transport, clock: clock, deadline: clock.now + 1, sourceID: Self.sourceID))
        let result = run(provider, from: CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600))
        #expect(result.error == nil && result.backlogLeft)
        #expect(journal.entries == ["publish 3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f03", "publish 3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f02",
                                    "confirm 2", "save cloudtrail"])
        // Everything above the oldest delivered event (12:30) is done; the next read covers only what lies below it.
        let checkpoint = try #require(store.state(sourceID: Self.sourceID, stream: "cloudtrail")?.checkpoint)
        #expect(checkpoint.watermark == at(0))
        #expect(checkpoint.pendingEnd == at(1800) && checkpoint.pendingTop == Self.now)
        #expect(rules.nextWindow(after: checkpoint, now: Self.now) == TimeWindow(start: at(-600), end: at(1800)))
    }

    @Test func theRunsDeadlineMidSliceOfAStreamInNoOrderCommitsNothingAndShrinksTheSlice() throws {
        // Risk detections come in whatever order Graph returns: only a whole slice can be committed.
        let risks = "https://graph.microsoft.com/v1.0/identityProtection/riskDetections"
        let transport = transport(onSend: { [clock] _ in clock.advance(1.5) })
        transport.expect(.get(risks), .json(#"{"value":[{"id":"r1","lastUpdatedDateTime":"\#(Self.time(900))","riskEventType":"unfamiliarFeatures"}],"@odata.nextLink":"\#(risks)?$skiptoken=r2"}"#))
        let provider = try AzureADProvider(context: context(
            .azureAD, credentials: Self.credentials, settings: #"{"streams":["risk_detections"]}"#,
            transport: transport, clock: clock, deadline: clock.now + 2.5, sourceID: Self.sourceID))
        let stored = CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: 3600)
        let result = run(provider, from: stored)
        #expect(result.error == nil && result.backlogLeft)
        // Published but not committed: the next run reads the slice again (smaller), and Kafka's
        // consumers see r1 again, keyed the same.
        #expect(sink.publishedIDs == ["r1@\(Self.time(900))"] && sink.confirmations == 0)
        let hint = try #require(store.state(sourceID: Self.sourceID, stream: "risk_detections"))
        #expect(hint.checkpoint?.watermark == at(0) && hint.checkpoint?.resumeAt == nil && hint.sliceSeconds == 1800)
    }
}

import Testing
import JSONBytes
import UTCTime
@testable import Catalog

/// Readable instants: seconds after a fixed base.
private let base = UTCTimestamp(rfc3339: "2026-03-01T12:00:00Z")!
private func at(_ seconds: Int64) -> UTCTimestamp { base.adding(seconds: seconds) }

@Suite struct StreamCheckpointTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func readsWatermarkAndSeen() throws {
        let json = try parse(#"{"watermark":"2026-03-01T12:00:00.5Z","seen":{"a":"2026-03-01T11:59:00Z","b":"2026-03-01T11:59:30.000001Z"}}"#)
        let checkpoint = try #require(try StreamCheckpoint(json: json))
        #expect(checkpoint.watermark == UTCTimestamp(microseconds: base.microseconds + 500_000))
        #expect(checkpoint.seen == ["a": at(-60), "b": UTCTimestamp(microseconds: at(-30).microseconds + 1)])
    }

    @Test func seenIsOptional() throws {
        let checkpoint = try #require(try StreamCheckpoint(json: parse(#"{"watermark":"2026-03-01T12:00:00Z"}"#)))
        #expect(checkpoint == StreamCheckpoint(watermark: base))
    }

    // A seen entry that cannot be read is dropped, not fatal: at worst one duplicate.
    @Test func unreadableSeenEntriesAreDropped() throws {
        let json = try parse(#"{"watermark":"2026-03-01T12:00:00Z","seen":{"a":"yesterday","b":7,"c":"2026-03-01T12:00:00Z"}}"#)
        #expect(try StreamCheckpoint(json: json)?.seen == ["c": base])
    }

    @Test(arguments: ["{}", "null"])
    func anEmptyEntryIsNoCheckpoint(text: String) throws {
        #expect(try StreamCheckpoint(json: try parse(text)) == nil)
    }

    // Starting over from the lookback would silently re-send or skip days of events.
    @Test(arguments: [
        #"{"watermark":null}"#, #"{"watermark":17}"#, #"{"watermark":"not a time"}"#,
        #"{"watermark":"2026-03-01T12:00:00"}"#, #""2026-03-01T12:00:00Z""#, "[]",
    ])
    func anUnreadableCheckpointThrows(text: String) throws {
        #expect(throws: CheckpointError.self) { try StreamCheckpoint(json: try parse(text)) }
    }

    @Test func missingCheckpointIsNil() throws {
        #expect(try StreamCheckpoint(json: nil) == nil)
    }
}

@Suite struct CursorStateTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func roundTripsThroughTheCursorColumn() throws {
        let seen: [String: UTCTimestamp] = [
            "Directory_1": at(-10), "Directory_2": UTCTimestamp(microseconds: base.microseconds + 123_456),
            #"odd "id" \ with ✓"#: at(0),
        ]
        let state = CursorState(checkpoint: StreamCheckpoint(watermark: at(60), seen: seen), sliceSeconds: 900)
        // The column holds one entry per stream.
        let cursor = try parse(#"{"directory_audits":"# + state.jsonText + "}")
        let back = try CursorState(cursor: cursor, stream: "directory_audits")
        #expect(back.checkpoint == state.checkpoint)
        #expect(back.sliceSeconds == 900)
    }

    @Test func writesTheDocumentedShape() throws {
        let state = CursorState(checkpoint: StreamCheckpoint(watermark: at(0), seen: ["b": at(-1), "a": at(-1), "c": at(-2)]),
                                sliceSeconds: 60)
        let json = try parse(state.jsonText)
        #expect(json.objectValue?.map(\.key) == ["watermark", "slice_seconds", "seen_count", "seen"])
        #expect(json["watermark"] == .string("2026-03-01T12:00:00Z"))
        #expect(json["slice_seconds"]?.intValue == 60)
        #expect(json["seen_count"]?.intValue == 3)
        // Oldest first, ties by id, so the stored text is stable between runs.
        #expect(json["seen"]?.objectValue?.map(\.key) == ["c", "a", "b"])
    }

    @Test func sliceIsOmittedWhenUnknown() throws {
        let state = CursorState(checkpoint: StreamCheckpoint(watermark: at(0)), sliceSeconds: nil)
        let json = try parse(state.jsonText)
        #expect(json["slice_seconds"] == nil)
        #expect(json["seen"] == .object([]))
        let back = try CursorState(cursor: .object([("s", json)]), stream: "s")
        #expect(back.checkpoint == StreamCheckpoint(watermark: at(0)))
        #expect(back.sliceSeconds == nil)
    }

    @Test func noCheckpointWritesAnEmptyObject() {
        #expect(CursorState(checkpoint: nil, sliceSeconds: 300).jsonText == "{}")
    }

    @Test(arguments: [#"{}"#, #"{"sign_ins":{"watermark":"2026-03-01T12:00:00Z"}}"#, #"[]"#, #"{"directory_audits":{}}"#])
    func aMissingStreamStartsFromTheLookback(text: String) throws {
        let state = try CursorState(cursor: try parse(text), stream: "directory_audits")
        #expect(state.checkpoint == nil)
    }

    // Starting over would silently re-send or skip days of events: the source fails instead.
    @Test(arguments: [
        #"{"directory_audits":"garbage"}"#, #"{"directory_audits":{"watermark":"soon"}}"#,
        #"{"directory_audits":{"seen":{}}}"#, #"{"directory_audits":{"watermark":"2026-03-01T12:00:00Z","seen":[]}}"#,
        #"{"directory_audits":{"watermark":"2026-03-01T12:00:00Z","resume_at":"x"}}"#,
    ])
    func anUnreadableStreamThrows(text: String) throws {
        #expect(throws: CheckpointError.self) { try CursorState(cursor: try parse(text), stream: "directory_audits") }
    }

    @Test func resumeAndLateLinesRoundTrip() throws {
        let state = CursorState(checkpoint: StreamCheckpoint(watermark: at(60), seen: ["a": at(30)], resumeAt: at(30), lateFrom: at(-600)),
                                sliceSeconds: 120)
        let back = try CursorState(cursor: try parse(#"{"s":"# + state.jsonText + "}"), stream: "s")
        #expect(back.checkpoint == state.checkpoint)
    }

    @Test func noCursorAtAll() throws {
        let state = try CursorState(cursor: nil, stream: "directory_audits")
        #expect(state.checkpoint == nil)
        #expect(state.sliceSeconds == nil)
    }

    @Test func streamsAreIndependent() throws {
        let cursor = try parse(#"{"directory_audits":{"watermark":"2026-03-01T12:00:00Z","slice_seconds":120},"sign_ins":{"watermark":"2026-03-01T11:00:00Z"}}"#)
        #expect(try CursorState(cursor: cursor, stream: "directory_audits").checkpoint?.watermark == base)
        #expect(try CursorState(cursor: cursor, stream: "directory_audits").sliceSeconds == 120)
        #expect(try CursorState(cursor: cursor, stream: "sign_ins").checkpoint?.watermark == at(-3600))
        #expect(try CursorState(cursor: cursor, stream: "sign_ins").sliceSeconds == nil)
    }
}

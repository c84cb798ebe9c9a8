import Testing
import JSONBytes
import UTCTime
@testable import Providers

/// The encoder is the hot-path twin of `NormalizedEventWriter`: for every event it covers it
/// must produce the writer's bytes exactly, and it must decline the events it does not cover.
@Suite struct NormalizedEventEncoderTests {
    let shared = NormalizedEventConstants(
        origin: EventOrigin(tenantID: "t-1", sourceID: "s-1", platform: "Microsoft365"), logType: "audit_log",
        ingestedAt: "2024-05-14T09:20:00Z")

    private func written(_ event: ProviderEvent) -> [UInt8] {
        var writer = JSONWriter()
        NormalizedEventWriter.write(event, shared: shared, into: &writer)
        return writer.bytes
    }

    private func encoded(_ event: ProviderEvent, by encoder: NormalizedEventEncoder) -> [UInt8]? {
        encoder.encode(event, shared: shared).map { Array($0) }
    }

    private func event(id: String = "e-1", time: Int64 = 1_715_677_953_000_001, fields: EventFields = EventFields(),
                       raw: String = #"{"k":1}"#, logType: String = "audit_log") throws -> ProviderEvent {
        ProviderEvent(id: id, time: UTCTimestamp(microseconds: time), logType: logType, fields: fields,
                      raw: try RawJSON(validating: raw))
    }

    /// The value of `text` taken from inside a document, as the transforms do.
    private func value(_ text: String) throws -> RawJSON {
        try #require(try RawJSON(validating: #"{"v":"# + text + "}")["v"])
    }

    @Test func fieldKindsResultsTimesAndIdsMatchTheWriter() throws {
        let encoder = NormalizedEventEncoder(capacity: 64)  // small, so it has to grow
        let texts = [#""alice""#, #""""#, "42", "-1.5e3", "true", "false", "null", #"{"a":1}"#, #"["a"]"#,
                     #""quote \" and \\ and \u00e9""#, #""é ✓ 𝄞""#]
        var compared = 0
        for text in texts {
            let field = try value(text)
            for result in [EventResult.success, .failure, nil] {
                let fields = EventFields(user: field, activity: text == "null" ? nil : field, result: result,
                                         sourceIP: field, application: nil)
                for time: Int64 in [1_715_677_953_000_001, 1_715_677_953_000_000, 0, -1] {
                    let e = try event(time: time, fields: fields)
                    #expect(encoded(e, by: encoder) == written(e), "\(text) \(String(describing: result)) \(time)")
                    compared += 1
                }
            }
        }
        for id in ["", "id", "é-✓-𝄞", String(repeating: "x", count: 300), "with/slash"] {
            var e = try event(id: id)
            e.reportedTime = UTCTimestamp(microseconds: 1_700_000_000_123_456)
            #expect(encoded(e, by: encoder) == written(e), "\(id)")
            compared += 1
        }
        let big = try event(raw: #"{"big":""# + String(repeating: "y", count: 300_000) + #""}"#)
        #expect(encoded(big, by: encoder) == written(big))
        #expect(encoded(try event(), by: encoder) == written(try event()), "after shrinking back")
        #expect(compared == texts.count * 3 * 4 + 5)
    }

    @Test func declinesWhatOnlyTheWriterHandles() throws {
        let encoder = NormalizedEventEncoder()
        for id in [#"id with "quotes""#, #"back\slash"#, "tab\tid", "nul\u{0}"] {
            #expect(encoder.encode(try event(id: id), shared: shared) == nil, "\(id)")
        }
        #expect(encoder.encode(try event(logType: "sign_in"), shared: shared) == nil)
    }

    @Test(arguments: ["directoryAudits", "signIns"])
    func graphSamplesMatchTheWriter(fixture: String) throws {
        let encoder = NormalizedEventEncoder()
        var compared = 0
        for collection in Microsoft365Provider.collections {
            let constants = NormalizedEventConstants(origin: shared.origin, logType: collection.stream.logType,
                                                     ingestedAt: shared.ingestedAt)
            for record in try Fixture.records(fixture) {
                guard let e = collection.transform(record, collection.stream) else { continue }
                var writer = JSONWriter()
                NormalizedEventWriter.write(e, shared: constants, into: &writer)
                #expect(encoder.encode(e, shared: constants).map { Array($0) } == writer.bytes, "\(e.id)")
                compared += 1
            }
        }
        #expect(compared > 0)
    }
}

import Testing
import JSONBytes
import UTCTime
@testable import Providers

/// An event too large for Kafka is delivered with raw_log cut (reliability issue #11, item 5).
@Suite struct OversizedEventTests {
    let origin = EventOrigin(tenantID: "t-1", sourceID: "s-1", platform: "Microsoft365")

    private func event(raw: String) throws -> ProviderEvent {
        ProviderEvent(id: "e-1", time: UTCTimestamp(microseconds: 1_715_677_953_000_000), logType: "audit_log",
                      fields: EventFields(activity: try RawJSON(validating: #"{"a":"Update policy"}"#)["a"]),
                      raw: try RawJSON(validating: raw))
    }

    @Test func aLongRecordIsCutAtTheLimitAndFlagged() throws {
        var writer = JSONWriter()
        NormalizedEventWriter.write(try event(raw: #"{"blob":"abcdefghij"}"#), origin: origin, ingestedAt: "x",
                                    into: &writer, rawLimit: 8)
        let out = try JSONValue.parse(writer.bytes)
        #expect(out["raw_log"] == .string(#"{"blob":"#))
        #expect(out["raw_log_truncated"] == .bool(true))
        #expect(out["activity"] == .string("Update policy"))
    }

    @Test func aShortRecordIsUntouched() throws {
        var writer = JSONWriter()
        NormalizedEventWriter.write(try event(raw: #"{"k":1}"#), origin: origin, ingestedAt: "x", into: &writer, rawLimit: 100)
        let out = try JSONValue.parse(writer.bytes)
        #expect(out["raw_log"]?["k"] == .number("1"))
        #expect(out["raw_log_truncated"] == nil)
    }

    @Test(arguments: [(0, ""), (1, "a"), (2, "a"), (3, "aé"), (4, "aé€".prefix(2).description), (6, "aé€")])
    func theCutNeverSplitsACharacter(limit: Int, expected: String) {
        let bytes = Array("aé€".utf8)  // 1 + 2 + 3 bytes
        #expect(String(decoding: NormalizedEventWriter.prefix(of: bytes, atMost: limit), as: UTF8.self) == expected)
    }
}

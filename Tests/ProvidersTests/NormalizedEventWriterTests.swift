import Testing
import JSONBytes
import UTCTime
@testable import Providers

@Suite struct NormalizedEventWriterTests {
    let origin = EventOrigin(tenantID: "t-1", sourceID: "s-1", platform: "Microsoft365")

    private func write(_ fields: EventFields, id: String = "e-1", raw: String = #"{"k":1}"#) throws -> (JSONValue, [UInt8]) {
        let event = ProviderEvent(id: id, time: UTCTimestamp(microseconds: 1_715_677_953_000_001), logType: "audit_log",
                                  fields: fields, raw: try RawJSON(validating: raw))
        var writer = JSONWriter()
        NormalizedEventWriter.write(event, origin: origin, ingestedAt: "2024-05-14T09:20:00Z", into: &writer)
        return (try JSONValue.parse(writer.bytes), writer.bytes)
    }

    /// The value of `text` taken from inside a document, as the transforms do.
    private func value(_ text: String) throws -> RawJSON {
        try #require(try RawJSON(validating: #"{"v":"# + text + "}")["v"])
    }

    @Test(arguments: [
        // (field JSON text, what the normalized field holds)
        (#""alice""#, JSONValue.string("alice")),
        (#""""#, .null),  // "" counts as absent
        ("42", .string("42")),  // numbers kept as their text
        ("-1.5e3", .string("-1.5e3")),
        ("true", .string("true")),
        ("false", .string("false")),
        ("null", .null),
        (#"{"a":1}"#, .null),
        (#"["a"]"#, .null),
        (#""quote \" and \\ and \u00e9""#, .string("quote \" and \\ and é")),
    ])
    func stringFieldsAcceptStringsNumbersAndBools(text: String, expected: JSONValue) throws {
        let field = try value(text)
        let (out, _) = try write(EventFields(user: field, activity: field, sourceIP: field, application: field))
        for key in ["user", "activity", "source_ip", "application"] {
            #expect(out[key] == expected, "\(key)")
        }
    }

    @Test func absentFieldsAreNull() throws {
        let (out, _) = try write(EventFields())
        for key in ["user", "activity", "result", "source_ip", "application"] {
            #expect(out[key] == .null, "\(key)")
        }
    }

    @Test(arguments: [(EventResult.success, "success"), (.failure, "failure")])
    func resultIsItsName(result: EventResult, name: String) throws {
        let (out, _) = try write(EventFields(result: result))
        #expect(out["result"] == .string(name))
    }

    @Test func headerFieldsComeFromTheEventAndOrigin() throws {
        let (out, _) = try write(EventFields(), id: #"id with "quotes""#)
        #expect(out["schema_version"]?.intValue == NormalizedEventWriter.schemaVersion)
        #expect(out["event_id"] == .string(#"id with "quotes""#))
        #expect(out["timestamp"] == .string("2024-05-14T09:12:33.000001Z"))
        #expect(out["source"] == .string("Microsoft365"))
        #expect(out["log_type"] == .string("audit_log"))
        #expect(out["tenant_id"] == .string("t-1"))
        #expect(out["source_id"] == .string("s-1"))
        #expect(out["ingested_at"] == .string("2024-05-14T09:20:00Z"))
    }

    @Test func rawLogIsCopiedVerbatim() throws {
        let raw = "{ \"a\" : [1, 2.50, \"\\u00e9\"],\n  \"b\":null }"
        let (out, bytes) = try write(EventFields(), raw: raw)
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix(#""raw_log":"# + raw + "}"))
        #expect(out["raw_log"]?["a"]?[1] == .number("2.50"))
    }

    /// The whole output, byte for byte: field order, escaping of every origin field, the
    /// verbatim raw_log. Any rewrite of the writer must keep exactly these bytes.
    @Test func wholeEventByteForByte() throws {
        let origin = EventOrigin(tenantID: #"t "1" \ é"#, sourceID: "s-1\u{1}", platform: "Microsoft365")
        var event = ProviderEvent(id: #"e"1"#, time: UTCTimestamp(microseconds: 1_715_677_953_000_001),
                                  logType: "audit\tlog",
                                  fields: EventFields(user: try value(#""al\u00e9""#), activity: try value(#""Add""#),
                                                      result: .failure, sourceIP: try value("10"),
                                                      application: try value("null")),
                                  raw: try RawJSON(validating: #"{"a": "x\"y", "b":[1, 2]}"#))
        var writer = JSONWriter()
        NormalizedEventWriter.write(event, origin: origin, ingestedAt: "2024-05-14T09:20:00Z", into: &writer)
        let expected = #"{"schema_version":1,"event_id":"e\"1","timestamp":"2024-05-14T09:12:33.000001Z","#
            + #""user":"al\u00e9","activity":"Add","result":"failure","source_ip":"10","application":null,"#
            + #""source":"Microsoft365","log_type":"audit\tlog","tenant_id":"t \"1\" \\ é","source_id":"s-1\u0001","#
            + #""ingested_at":"2024-05-14T09:20:00Z","raw_log":{"a": "x\"y", "b":[1, 2]}}"#
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)

        // A second event into the same writer after removeAll, with a reported time.
        event.reportedTime = UTCTimestamp(microseconds: 1_715_677_953_000_000)
        event.fields = EventFields()
        writer.removeAll()
        NormalizedEventWriter.write(event, origin: origin, ingestedAt: "2024-05-14T09:20:01Z", into: &writer)
        let second = #"{"schema_version":1,"event_id":"e\"1","timestamp":"2024-05-14T09:12:33Z","#
            + #""user":null,"activity":null,"result":null,"source_ip":null,"application":null,"#
            + #""source":"Microsoft365","log_type":"audit\tlog","tenant_id":"t \"1\" \\ é","source_id":"s-1\u0001","#
            + #""ingested_at":"2024-05-14T09:20:01Z","raw_log":{"a": "x\"y", "b":[1, 2]}}"#
        #expect(String(decoding: writer.bytes, as: UTF8.self) == second)
    }
}

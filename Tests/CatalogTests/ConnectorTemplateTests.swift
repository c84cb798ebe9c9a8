import Testing
import Catalog
import JSONBytes
import UTCTime

@Suite struct ConnectorTemplateTests {
    @Test func placeholdersAreReadAndFilled() throws {
        let template = try Template("{settings.okta_url}/api/v1/logs?x={{literal}}&since={window.start}")
        #expect(template.placeholders == [.setting("okta_url"), .windowStart])
        let text = template.render { placeholder in
            switch placeholder {
            case .setting: "https://acme.okta.com"
            case .windowStart: "2026-12-04T10:00:00.000Z"
            default: nil
            }
        }
        #expect(text == "https://acme.okta.com/api/v1/logs?x={literal}&since=2026-12-04T10:00:00.000Z")
        #expect(template.render { _ in nil } == nil)
        #expect(try Template("SSWS {credentials.api_token}").carriesCredential)
    }

    @Test(arguments: ["{settings.}", "{unknown}", "{window.start", "a}b"])
    func malformedTemplatesAreRefused(text: String) {
        #expect(throws: Template.Problem.self) { try Template(text) }
    }

    static let time = UTCTimestamp(microseconds: 1_733_306_400_123_456)   // 2024-12-04T10:00:00.123456Z

    @Test func windowTimesAreWrittenInTheAPIsFormat() {
        #expect(TimeFormat.rfc3339Millis.format(Self.time) == "2024-12-04T10:00:00.123Z")
        #expect(TimeFormat.rfc3339.format(Self.time) == "2024-12-04T10:00:00.123456Z")
        #expect(TimeFormat.unixSeconds.format(Self.time) == "1733306400")
        #expect(TimeFormat.unixMillis.format(Self.time) == "1733306400123")
        #expect(TimeFormat.soql.format(Self.time) == "2024-12-04T10:00:00Z")
    }

    @Test func recordTimesAreReadInTheAPIsFormat() {
        #expect(TimeFormat.rfc3339.parse("2024-12-04T10:00:00.123456Z") == Self.time)
        #expect(TimeFormat.soql.parse("2024-12-04T10:00:00.000+0000") == UTCTimestamp(seconds: 1_733_306_400))
        #expect(TimeFormat.soql.parse("2024-12-04T12:00:00.000+0200") == UTCTimestamp(seconds: 1_733_306_400))
        #expect(TimeFormat.unixSeconds.parse("1733306400") == UTCTimestamp(seconds: 1_733_306_400))
        #expect(TimeFormat.unixSeconds.parse("1733306400.123456") == Self.time)
        #expect(TimeFormat.unixMillis.parse("1733306400123") == UTCTimestamp(microseconds: 1_733_306_400_123_000))
        #expect(TimeFormat.unixSeconds.parse("-5") == nil && TimeFormat.unixSeconds.parse("12a") == nil)
        #expect(TimeFormat.rfc3339.parse("yesterday") == nil)
    }

    @Test func pathsReachIntoObjectsAndArrays() throws {
        let document = try JSONValue.parse(Array(#"{"a": {"b": [{"c": "x"}]}, "n": 5}"#.utf8))
        #expect(JSONPath("a.b.0.c")?.value(in: document) == .string("x"))
        #expect(JSONPath("$.n")?.value(in: document) == .number("5"))
        #expect(JSONPath("$")?.value(in: document) == document)
        #expect(JSONPath("a.b.1.c")?.value(in: document) == nil)
        #expect(JSONPath("a..b") == nil && JSONPath("a.") == nil)
        let raw = try RawJSON(validating: #"{"a": {"b": [{"c": "x"}]}}"#)
        #expect(JSONPath("a.b.0.c")?.value(in: raw)?.stringValue == "x")
        #expect(JSONPath("a.b.c")?.value(in: raw) == nil)
    }
}

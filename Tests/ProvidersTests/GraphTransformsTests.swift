import Testing
import JSONBytes
import UTCTime
@testable import Providers

/// Graph records → normalized events, checked field by field against the
/// documented mapping on the fixtures' realistic pages.
@Suite struct GraphTransformsTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var id: String
        var timestamp: String
        var user: String?
        var activity: String?
        var result: String?
        var sourceIP: String?
        var application: String?
        var testDescription: String { id }
    }

    static let origin = EventOrigin(tenantID: "contoso", sourceID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", platform: "Microsoft365")
    static let ingestedAt = "2024-05-14T09:20:00.000001Z"

    static let audits = [
        // A user acting from an IP; Graph's 7 fraction digits cut to microseconds.
        Expected(id: "Directory_ce22f9d4-3b77-4e4d-a9e3-ab0a3c6b5f2c_7ZHLZ_64716013", timestamp: "2024-05-14T09:12:33.412735Z",
                 user: "admin@contoso.onmicrosoft.com", activity: "Update user", result: "success",
                 sourceIP: "203.0.113.7", application: "Core Directory"),
        // An app with no service principal name: the app's display name is the actor; whole seconds drop the fraction.
        Expected(id: "Directory_0b7d9a61-2f1c-4e8a-9b3d-5c6e7f8a9b0c_A1B2C_11223344", timestamp: "2024-05-14T09:10:00Z",
                 user: "Microsoft Azure AD Connect", activity: "Add service principal", result: "failure",
                 sourceIP: nil, application: "Microsoft Azure AD Connect"),
        // "timeout" counts as a failure; an empty app name falls through to loggedByService.
        Expected(id: "Directory_PIM_9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a_1", timestamp: "2024-05-14T09:08:59.999999Z",
                 user: "MS-PIM", activity: "Add member to role completed (PIM activation)", result: "failure",
                 sourceIP: nil, application: "PIM"),
        // Unicode (raw and \u-escaped) survives; an empty ipAddress is null.
        Expected(id: "Directory_3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f_ZÜRICH_77", timestamp: "2024-05-14T09:05:17.500000Z",
                 user: "zoë.angstrom@contoso.ch", activity: "Add member to group “Finanzen Zürich”", result: "success",
                 sourceIP: nil, application: "Core Directory"),
        // A result Graph may add later is not guessed; a user wins over the app.
        Expected(id: "Directory_B2B_7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b_9", timestamp: "2024-05-14T09:01:02.050000Z",
                 user: "naomi.watanabe@contoso.co.jp", activity: "Invite external user", result: nil,
                 sourceIP: "2001:db8:85a3::8a2e:370:7334", application: "Microsoft Graph"),
    ]

    static let signIns = [
        Expected(id: "66ea54eb-6301-4ee5-be62-ff5a759b0100", timestamp: "2024-05-14T09:15:02Z",
                 user: "jdoe@contoso.com", activity: "sign-in", result: "success",
                 sourceIP: "207.254.19.10", application: "Azure Portal"),
        Expected(id: "b0f2c1a9-8e7d-4c6b-a5f4-e3d2c1b0a9f8", timestamp: "2024-05-14T09:14:48.123456Z",
                 user: "zoë.angstrom@contoso.ch", activity: "sign-in", result: "failure",
                 sourceIP: "198.51.100.23", application: "Office 365 Exchange Online"),
        // Empty ipAddress and appDisplayName are null, not "".
        Expected(id: "e1d2c3b4-a596-4877-8695-a4b3c2d1e0ff", timestamp: "2024-05-14T09:13:00Z",
                 user: "servicedesk@contoso.com", activity: "sign-in", result: "failure",
                 sourceIP: nil, application: nil),
        // No errorCode: the result is unknown, so null.
        Expected(id: "f9e8d7c6-b5a4-4392-8170-000000000005", timestamp: "2024-05-14T09:11:11Z",
                 user: "naomi.watanabe@contoso.co.jp", activity: "sign-in", result: nil,
                 sourceIP: "2001:db8:85a3::8a2e:370:7334", application: "Graph Explorer"),
    ]

    static let fieldOrder = [
        "schema_version", "event_id", "timestamp", "user", "activity", "result", "source_ip", "application",
        "source", "log_type", "tenant_id", "source_id", "ingested_at", "raw_log",
    ]

    private static func events(_ fixture: String, _ collection: GraphCollection) throws -> [(RawJSON, ProviderEvent)] {
        try Fixture.records(fixture).compactMap { record in
            collection.transform(record, collection.stream).map { (record, $0) }
        }
    }

    /// Writes the event, parses it back, and checks every field and the verbatim raw record.
    private static func check(_ expected: Expected, fixture: String, collection: GraphCollection, logType: String) throws {
        let pairs = try events(fixture, collection)
        let (record, event) = try #require(pairs.first { $0.1.id == expected.id })
        var writer = JSONWriter(reservingCapacity: 4096)
        NormalizedEventWriter.write(event, origin: origin, ingestedAt: ingestedAt, into: &writer)
        let out = try JSONValue.parse(writer.bytes)

        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        #expect(out.objectValue?.map(\.key) == fieldOrder)
        #expect(out["schema_version"] == .number("1"))
        #expect(out["event_id"] == .string(expected.id))
        #expect(out["timestamp"] == .string(expected.timestamp))
        #expect(out["user"] == text(expected.user))
        #expect(out["activity"] == text(expected.activity))
        #expect(out["result"] == text(expected.result))
        #expect(out["source_ip"] == text(expected.sourceIP))
        #expect(out["application"] == text(expected.application))
        #expect(out["source"] == .string("Microsoft365"))
        #expect(out["log_type"] == .string(logType))
        #expect(out["tenant_id"] == .string(origin.tenantID))
        #expect(out["source_id"] == .string(origin.sourceID))
        #expect(out["ingested_at"] == .string(ingestedAt))

        // raw_log is the record's bytes from the page, indentation and escapes included.
        let prefix = Array(#""raw_log":"#.utf8)
        let tail = Array(writer.bytes.suffix(prefix.count + record.bytes.count + 1))
        #expect(tail == prefix + Array(record.bytes) + [UInt8(ascii: "}")])
        #expect(record.text.contains("\n      \"id\": "))
        #expect(out["raw_log"] == record.decoded())
    }

    @Test(arguments: audits)
    func directoryAudit(_ expected: Expected) throws {
        try Self.check(expected, fixture: "directoryAudits", collection: Microsoft365Provider.directoryAudits, logType: "audit_log")
    }

    @Test(arguments: signIns)
    func signIn(_ expected: Expected) throws {
        try Self.check(expected, fixture: "signIns", collection: Microsoft365Provider.signIns, logType: "sign_in_log")
    }

    // Records without an id cannot be de-duplicated or keyed: skipped, the rest kept in page order.
    @Test func recordsWithoutIdAreSkipped() throws {
        let audits = try Self.events("directoryAudits", Microsoft365Provider.directoryAudits).map(\.1.id)
        #expect(try Fixture.records("directoryAudits").count == 6)
        #expect(audits == Self.audits.map(\.id))
        let signIns = try Self.events("signIns", Microsoft365Provider.signIns).map(\.1.id)
        #expect(try Fixture.records("signIns").count == 5)
        #expect(signIns == Self.signIns.map(\.id))
    }

    @Test func eventTimeIsTheCursorTime() throws {
        let (_, event) = try #require(try Self.events("directoryAudits", Microsoft365Provider.directoryAudits).first)
        #expect(event.time == UTCTimestamp(rfc3339: "2024-05-14T09:12:33.412735Z"))
        #expect(event.logType == "audit_log")
    }

    @Test(arguments: [
        #"{"id":"a","activityDateTime":"yesterday"}"#,
        #"{"id":"a"}"#,
        #"{"id":17,"activityDateTime":"2024-05-14T09:12:33Z"}"#,
        #"{"id":null,"activityDateTime":"2024-05-14T09:12:33Z"}"#,
        #"{"id":"a","activityDateTime":null}"#,
        #"["not","an","object"]"#,
    ])
    func auditWithoutIdOrTimeIsSkipped(record: String) throws {
        let raw = try RawJSON(validating: record)
        #expect(GraphTransforms.directoryAudit(raw, Microsoft365Provider.directoryAudits.stream) == nil)
    }

    @Test(arguments: [
        #"{"id":"a","createdDateTime":"2024-05-14"}"#,
        #"{"createdDateTime":"2024-05-14T09:12:33Z"}"#,
        #"{"id":"a","activityDateTime":"2024-05-14T09:12:33Z"}"#,
    ])
    func signInWithoutIdOrTimeIsSkipped(record: String) throws {
        let raw = try RawJSON(validating: record)
        #expect(GraphTransforms.signIn(raw, Microsoft365Provider.signIns.stream) == nil)
    }

    // Minimal records: absent members are null, never invented.
    @Test func minimalAuditHasOnlyNulls() throws {
        let raw = try RawJSON(validating: #"{"id":"x","activityDateTime":"2024-05-14T09:12:33+02:00"}"#)
        let event = try #require(GraphTransforms.directoryAudit(raw, Microsoft365Provider.directoryAudits.stream))
        #expect(event.time == UTCTimestamp(rfc3339: "2024-05-14T07:12:33Z"))
        #expect(event.fields.user == nil)
        #expect(event.fields.activity == nil)
        #expect(event.fields.result == nil)
        #expect(event.fields.sourceIP == nil)
        #expect(event.fields.application == nil)
    }

    @Test(arguments: [("0", "success"), ("50126", "failure"), ("-1", "failure"), ("\"0\"", nil), ("null", nil)] as [(String, String?)])
    func signInResultFollowsErrorCode(code: String, result: String?) throws {
        let raw = try RawJSON(validating: #"{"id":"x","createdDateTime":"2024-05-14T09:12:33Z","status":{"errorCode":"# + code + "}}")
        let event = try #require(GraphTransforms.signIn(raw, Microsoft365Provider.signIns.stream))
        #expect(event.fields.result?.rawValue == result)
    }
}

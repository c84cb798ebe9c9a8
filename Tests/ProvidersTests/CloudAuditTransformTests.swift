import JSONBytes
import Testing
import UTCTime
@testable import Providers

/// LogEntry (AuditLog) → normalized fields, as the README documents them.
@Suite struct CloudAuditTransformTests {
    let stream = GCPProvider.cloudAudit

    static let entry = #"""
    {"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{"code":7,"message":"PERMISSION_DENIED"},
     "authenticationInfo":{"principalEmail":"alice@example.com"},
     "requestMetadata":{"callerIp":"2001:db8::1","callerSuppliedUserAgent":"gcloud \"quoted\""},
     "serviceName":"storage.googleapis.com","methodName":"storage.buckets.create","resourceName":"projects/_/buckets/b"},
     "insertId":"-abc123","resource":{"type":"gcs_bucket","labels":{"project_id":"p1"}},
     "timestamp":"2026-11-20T10:00:00.123456789Z","severity":"ERROR",
     "logName":"projects/p1/logs/cloudaudit.googleapis.com%2Factivity","receiveTimestamp":"2026-11-20T10:00:01Z"}
    """#

    @Test func mapsTheDocumentedFields() throws {
        let record = try RawJSON(validating: Self.entry)
        let event = try #require(CloudAuditTransform.logEntry(record, stream))
        #expect(event.id == "projects/p1/logs/cloudaudit.googleapis.com%2Factivity#-abc123")
        #expect(event.time == UTCTimestamp(rfc3339: "2026-11-20T10:00:00.123456Z"))
        #expect(event.logType == "cloud_audit_log")
        #expect(event.fields.user?.stringValue == "alice@example.com")
        #expect(event.fields.activity?.stringValue == "storage.buckets.create")
        #expect(event.fields.result == .failure)
        #expect(event.fields.sourceIP?.stringValue == "2001:db8::1")
        #expect(event.fields.application?.stringValue == "storage.googleapis.com")
        #expect(event.raw.bytes.elementsEqual(record.bytes))
    }

    @Test(arguments: [
        (#"{"status":{}}"#, EventResult?.some(.success)),
        (#"{}"#, .some(.success)),
        (#"{"status":{"code":0}}"#, .some(.success)),
        (#"{"status":{"code":5,"message":"NOT_FOUND"}}"#, .some(.failure)),
        (#"{"status":{"code":"bad"}}"#, nil),
    ])
    func resultFollowsTheStatusCode(payload: String, expected: EventResult?) throws {
        let record = try RawJSON(validating: #"{"insertId":"1","logName":"projects/p/logs/l","timestamp":"2026-11-20T10:00:00Z","protoPayload":\#(payload)}"#)
        #expect(CloudAuditTransform.logEntry(record, stream)?.fields.result == expected)
    }

    @Test func anEntryWithoutAnAuditPayloadHasNoResult() throws {
        let record = try RawJSON(validating: #"{"insertId":"1","logName":"projects/p/logs/syslog","timestamp":"2026-11-20T10:00:00Z","textPayload":"x"}"#)
        let event = try #require(CloudAuditTransform.logEntry(record, stream))
        #expect(event.fields.result == nil && event.fields.user == nil && event.fields.activity == nil)
    }

    @Test(arguments: [
        #"{"logName":"projects/p/logs/l","timestamp":"2026-11-20T10:00:00Z"}"#,
        #"{"insertId":"","logName":"projects/p/logs/l","timestamp":"2026-11-20T10:00:00Z"}"#,
        #"{"insertId":"1","timestamp":"2026-11-20T10:00:00Z"}"#,
        #"{"insertId":"1","logName":"projects/p/logs/l","timestamp":"yesterday"}"#,
    ])
    func entriesWithoutIdOrTimeAreSkipped(text: String) throws {
        #expect(CloudAuditTransform.logEntry(try RawJSON(validating: text), stream) == nil)
    }
}

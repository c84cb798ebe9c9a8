import Foundation
import JSONBytes
@testable import Providers
import Testing
import UTCTime

@Suite("CloudTrail normalization")
struct CloudTrailTransformTests {
    typealias S = CloudTrailSamples

    @Test("a failed IAM call by an IAM user, field by field; raw_log is the event object byte for byte")
    func iamUserCall() throws {
        let json = S.lookupEvent()
        let event = try #require(try S.event(json))
        #expect(event.id == "3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f00")
        #expect(event.time == UTCTimestamp(seconds: 1_700_000_123))
        #expect(event.logType == "cloudtrail")
        #expect(event.raw.text == json)
        let v = try S.normalized(event)
        #expect(v["user"] == .string("arn:aws:iam::111122223333:user/ci-runner"))
        #expect(v["activity"] == .string("AttachUserPolicy"))
        #expect(v["result"] == .string("failure"))
        #expect(v["source_ip"] == .string("203.0.113.7"))
        #expect(v["application"] == .string("iam.amazonaws.com"))
        #expect(v["timestamp"] == .string("2023-11-14T22:15:23Z"))
        #expect(v["log_type"] == .string("cloudtrail"))
        #expect(v["raw_log"] == (try JSONValue.parse(Array(json.utf8))))
    }

    @Test("result: failure with an errorCode or a failed console sign-in, else success", arguments: [
        (#""errorCode":"AccessDenied","#, "failure"),
        (#""errorCode":"Client.UnauthorizedOperation","#, "failure"),
        (#""errorCode":null,"#, "success"),
        (#""errorCode":"","#, "success"),
        ("", "success"),
    ])
    func result(errorCode: String, expected: String) throws {
        let record = S.record.replacingFirst(#""errorCode":"AccessDenied","#, with: errorCode)
        #expect(try S.normalized(#require(try S.event(S.lookupEvent(record: record))))["result"] == .string(expected))
    }

    @Test("a failed console sign-in carries no errorCode but is a failure")
    func consoleLoginFailure() throws {
        let record = S.record.replacingFirst(#""errorCode":"AccessDenied","#, with: "")
            .replacingFirst(#""responseElements":null"#, with: #""responseElements":{"ConsoleLogin":"Failure"}"#)
        #expect(try S.normalized(#require(try S.event(S.lookupEvent(record: record))))["result"] == .string("failure"))
        let success = record.replacingFirst(#""ConsoleLogin":"Failure""#, with: #""ConsoleLogin":"Success""#)
        #expect(try S.normalized(#require(try S.event(S.lookupEvent(record: success))))["result"] == .string("success"))
    }

    @Test("user: userIdentity.arn, else userIdentity.userName", arguments: ["", #""arn":"","#])
    func userFallback(arn: String) throws {
        let record = S.record.replacingFirst(#""arn":"arn:aws:iam::111122223333:user/ci-runner","#, with: arn)
        #expect(try S.normalized(#require(try S.event(S.lookupEvent(record: record))))["user"] == .string("ci-runner"))
    }

    @Test("an AWS service's call has no user")
    func serviceCall() throws {
        let record = #"{"userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventTime":"2023-11-14T22:15:23Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","sourceIPAddress":"ec2.amazonaws.com","eventID":"e1"}"#
        let v = try S.normalized(#require(try S.event(S.lookupEvent(id: "e1", record: record))))
        #expect(v["user"] == .null)
        #expect(v["source_ip"] == .string("ec2.amazonaws.com"))
        #expect(v["activity"] == .string("Decrypt"))
        #expect(v["result"] == .string("success"))
    }

    @Test("EventTime: epoch seconds, whole or fractional, plain or in Java's exponent form", arguments: [
        ("1700000123", Int64(1_700_000_123_000_000)),
        ("1.700000123E9", 1_700_000_123_000_000),
        ("1.7000001235E9", 1_700_000_123_500_000),
        ("1700000123.123456", 1_700_000_123_123_456),
        ("1.700000123123E9", 1_700_000_123_123_000),
        (#""2023-11-14T22:15:23.25Z""#, 1_700_000_123_250_000),
    ])
    func eventTime(text: String, micros: Int64) throws {
        #expect(try S.event(S.lookupEvent(eventTime: text))?.time == UTCTimestamp(microseconds: micros))
    }

    @Test("without EventTime the record's eventTime counts; without either the event is skipped")
    func eventTimeFallback() throws {
        #expect(try S.event(S.lookupEvent(eventTime: nil))?.time == UTCTimestamp(rfc3339: "2023-11-14T22:15:23Z"))
        #expect(try S.event(S.lookupEvent(eventTime: "null"))?.time == UTCTimestamp(rfc3339: "2023-11-14T22:15:23Z"))
        #expect(try S.event(S.lookupEvent(eventTime: nil, record: nil)) == nil)
        #expect(try S.event(S.lookupEvent(eventTime: "-5", record: nil)) == nil)
    }

    @Test("without EventId the record's eventID is the id; without either the event is skipped")
    func idFallback() throws {
        #expect(try S.event(S.lookupEvent(id: nil))?.id == "3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f00")
        #expect(try S.event(S.lookupEvent(id: ""))?.id == "3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f00")
        #expect(try S.event(S.lookupEvent(id: nil, record: nil)) == nil)
    }

    @Test("a missing or broken CloudTrailEvent still delivers the event, with what the outer object says",
          arguments: [nil, "{\"eventName\":", "[1,2]", "not json"] as [String?])
    func brokenRecord(record: String?) throws {
        let event = try #require(try S.event(S.lookupEvent(record: record)))
        let v = try S.normalized(event)
        #expect(v["activity"] == .string("AttachUserPolicy"))
        #expect(v["application"] == .string("iam.amazonaws.com"))
        // Unknown, not guessed: a record that cannot be read does not say who, from where, or whether it failed.
        #expect(v["user"] == .null && v["source_ip"] == .null && v["result"] == .null)
    }

    @Test("awkward text inside the record survives the string-in-a-string round trip")
    func awkwardText() throws {
        let awkward = #"Quote \"in\" back\\slash \u2028 emoji 😀 tab\t ctrl\u0001 Ελληνικά"#
        let record = S.record.replacingFirst(#""userName":"ci-runner"}"#, with: #""userName":"\#(awkward)"}"#)
            .replacingFirst(#""arn":"arn:aws:iam::111122223333:user/ci-runner","#, with: "")
        let v = try S.normalized(#require(try S.event(S.lookupEvent(record: record))))
        #expect(v["user"] == .string("Quote \"in\" back\\slash \u{2028} emoji 😀 tab\t ctrl\u{1} Ελληνικά"))
    }

    @Test("empty strings count as absent")
    func emptyStrings() throws {
        let record = S.record.replacingFirst(#""sourceIPAddress":"203.0.113.7""#, with: #""sourceIPAddress":"""#)
        #expect(try S.normalized(#require(try S.event(S.lookupEvent(record: record))))["source_ip"] == .null)
    }
}

fileprivate extension String {
    /// The string with the first occurrence of `target` replaced (the samples are edited, not rebuilt).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}

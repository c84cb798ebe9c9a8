import Foundation
import JSONBytes
import Testing
import UTCTime
@testable import Providers

/// Risk detections, provisioning records and activity-log events → normalized fields.
@Suite struct AzureADTransformTests {
    static let detection = #"""
    {"id":"6a1f","requestId":"r1","riskEventType":"unlikelyTravel","riskState":"atRisk","riskLevel":"high",
     "source":"IdentityProtection","detectionTimingType":"offline","ipAddress":"203.0.113.9",
     "activityDateTime":"2026-11-18T08:00:00Z","detectedDateTime":"2026-11-18T09:00:00.5Z",
     "lastUpdatedDateTime":"2026-11-20T10:00:00.1234567Z","userPrincipalName":"zoe@contoso.com"}
    """#

    @Test func aRiskDetectionVersionIsKeyedByItsUpdateTime() throws {
        let record = try RawJSON(validating: Self.detection)
        let event = try #require(AzureADTransforms.riskDetection(record, AzureADProvider.riskDetections.stream))
        #expect(event.id == "6a1f@2026-11-20T10:00:00.123456Z")
        #expect(event.time == UTCTimestamp(rfc3339: "2026-11-20T10:00:00.123456Z"))
        #expect(event.logType == "risk_detection")
        #expect(event.fields.user?.stringValue == "zoe@contoso.com")
        #expect(event.fields.activity?.stringValue == "unlikelyTravel")
        #expect(event.fields.result == nil)
        #expect(event.fields.sourceIP?.stringValue == "203.0.113.9")
        #expect(event.fields.application?.stringValue == "IdentityProtection")
    }

    @Test func anUpdatedDetectionIsANewEvent() throws {
        let updated = Self.detection.replacingOccurrences(of: "2026-11-20T10:00:00.1234567Z", with: "2026-11-21T07:30:00Z")
        let stream = AzureADProvider.riskDetections.stream
        let first = try #require(AzureADTransforms.riskDetection(try RawJSON(validating: Self.detection), stream))
        let second = try #require(AzureADTransforms.riskDetection(try RawJSON(validating: updated), stream))
        #expect(first.id != second.id)
        #expect(second.id == "6a1f@2026-11-21T07:30:00Z")
    }

    @Test(arguments: [("success", EventResult?.some(.success)), ("failure", .some(.failure)),
                      ("skipped", nil), ("warning", nil)])
    func provisioningResult(status: String, expected: EventResult?) throws {
        let record = try RawJSON(validating: #"""
        {"id":"p1","activityDateTime":"2026-11-20T10:00:00Z","provisioningAction":"create",
         "provisioningStatusInfo":{"status":"\#(status)","errorInformation":null},
         "initiatedBy":{"id":"","displayName":"Azure AD Provisioning Service","initiatorType":"system"},
         "servicePrincipal":{"id":"sp","displayName":"Contoso"},
         "sourceIdentity":{"id":"u1","displayName":"Zoë O'Brien","identityType":"User","details":{}},
         "targetIdentity":{"id":"","displayName":"","identityType":"User","details":{}}}
        """#)
        let event = try #require(AzureADTransforms.provisioning(record, AzureADProvider.provisioning.stream))
        #expect(event.fields.result == expected)
        #expect(event.fields.user?.stringValue == "Zoë O'Brien")
        #expect(event.fields.activity?.stringValue == "create")
        #expect(event.fields.application?.stringValue == "Contoso")
        #expect(event.fields.sourceIP == nil)
        #expect(event.logType == "provisioning_log")
    }

    @Test(arguments: [("Succeeded", EventResult?.some(.success)), ("Failed", .some(.failure)),
                      ("Started", nil), ("Accepted", nil)])
    func activityLogResult(status: String, expected: EventResult?) throws {
        let record = try RawJSON(validating: #"""
        {"caller":"ops@contoso.com","eventDataId":"e1","eventTimestamp":"2026-11-20T10:00:00.6407898Z",
         "operationName":{"value":"Microsoft.Compute/virtualMachines/write","localizedValue":"Create or Update Virtual Machine"},
         "resourceProviderName":{"value":"Microsoft.Compute","localizedValue":"Microsoft.Compute"},
         "status":{"value":"\#(status)","localizedValue":"\#(status)"},
         "httpRequest":{"clientRequestId":"c","clientIpAddress":"198.51.100.7","method":"PUT"}}
        """#)
        let stream = AzureADProvider.activityLog(subscription: "s1").stream
        let event = try #require(AzureADTransforms.activityLog(record, stream))
        #expect(event.id == "e1")
        #expect(event.time == UTCTimestamp(rfc3339: "2026-11-20T10:00:00.640789Z"))
        #expect(event.fields.result == expected)
        #expect(event.fields.user?.stringValue == "ops@contoso.com")
        #expect(event.fields.activity?.stringValue == "Microsoft.Compute/virtualMachines/write")
        #expect(event.fields.sourceIP?.stringValue == "198.51.100.7")
        #expect(event.fields.application?.stringValue == "Microsoft.Compute")
        #expect(event.logType == "activity_log")
    }
}

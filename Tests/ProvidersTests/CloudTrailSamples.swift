import JSONBytes
@testable import Providers

/// Builders for LookupEvents events in the unit tests: the CloudTrail record goes
/// into `CloudTrailEvent` as a JSON string, escaped the way AWS sends it.
enum CloudTrailSamples {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A failed IAM call by an IAM user, shaped like a real record.
    static let record = #"""
        {"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAZ5EXAMPLEPRINCIPAL",\#
        "arn":"arn:aws:iam::111122223333:user/ci-runner","accountId":"111122223333","accessKeyId":"AKIAZ5EXAMPLEKEY0001",\#
        "userName":"ci-runner"},"eventTime":"2023-11-14T22:15:23Z","eventSource":"iam.amazonaws.com",\#
        "eventName":"AttachUserPolicy","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7",\#
        "userAgent":"aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0","errorCode":"AccessDenied",\#
        "errorMessage":"User: arn:aws:iam::111122223333:user/ci-runner is not authorized to perform: iam:AttachUserPolicy",\#
        "requestParameters":{"userName":"mallory","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"},\#
        "responseElements":null,"requestID":"6a1f1f0e-2b59-4f0c-9d1e-0f7c9c2d8e11",\#
        "eventID":"3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f00","readOnly":false,"eventType":"AwsApiCall",\#
        "managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}
        """#

    /// The LookupEvents event object around `record` (nil: no CloudTrailEvent member).
    static func lookupEvent(id: String? = "3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f00", eventTime: String? = "1.700000123E9",
                            record: String? = record) -> String {
        var members: [String] = []
        if let id { members.append(#""EventId":"\#(id)""#) }
        members.append(#""EventName":"AttachUserPolicy","ReadOnly":"false","AccessKeyId":"AKIAZ5EXAMPLEKEY0001""#)
        if let eventTime { members.append(#""EventTime":\#(eventTime)"#) }
        members.append(#""EventSource":"iam.amazonaws.com","Username":"ci-runner""#)
        members.append(#""Resources":[{"ResourceType":"AWS::IAM::User","ResourceName":"mallory"}]"#)
        if let record {
            var writer = JSONWriter()
            writer.string(record)
            members.append(#""CloudTrailEvent":"# + text(writer.bytes))
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func event(_ json: String) throws -> ProviderEvent? {
        CloudTrailTransform.event(try RawJSON(validating: json), AWSCloudTrailProvider.cloudTrail)
    }

    /// The normalized event as a SIEM reads it from Kafka.
    static func normalized(_ event: ProviderEvent) throws -> JSONValue {
        var writer = JSONWriter()
        NormalizedEventWriter.write(event, origin: EventOrigin(tenantID: "soc", sourceID: "src", platform: "AWS"),
                                    ingestedAt: "2023-11-14T22:20:00Z", into: &writer)
        return try JSONValue.parse(writer.bytes)
    }
}

import Curl
import JSONBytes
import Logging
import TestSupport
@testable import Providers
import SourceModel
import Testing

@Suite("CloudTrail errors, throttling backoff, provider setup")
struct CloudTrailErrorsTests {
    static func error(_ status: Int, _ body: String, header: String? = nil, secrets: [String] = []) -> AWSErrorResponse {
        AWSErrorResponse(status: status, errorTypeHeader: header, body: Array(body.utf8), redacting: secrets)
    }

    @Test("AWS JSON 1.1 errors map to what the operator must fix", arguments: [
        (400, #"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#,
         nil, "UnrecognizedClientException", ProviderError.Kind.badCredentials),
        (400, #"{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"x"}"#,
         nil, "UnrecognizedClientException", .badCredentials),
        (400, #"{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided."}"#,
         nil, "InvalidSignatureException", .badCredentials),
        (400, #"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#,
         nil, "ExpiredTokenException", .badCredentials),
        (400, #"{"__type":"IncompleteSignatureException","message":"Authorization header requires 'Credential' parameter."}"#,
         nil, "IncompleteSignatureException", .badCredentials),
        (403, #"{"message":"The security token included in the request is invalid."}"#,
         "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/", "UnrecognizedClientException", .badCredentials),
        (400, #"{"__type":"AccessDeniedException","Message":"User: arn:aws:iam::1:user/x is not authorized to perform: cloudtrail:LookupEvents"}"#,
         nil, "AccessDeniedException", .missingPermission),
        (400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#, nil, "ThrottlingException", .throttled),
        (400, #"{"__type":"com.amazonaws.cloudtrail.v20131101#InvalidTimeRangeException","Message":"Start time must be before end time."}"#,
         nil, "InvalidTimeRangeException", .configuration),
        (400, #"{"__type":"com.amazonaws.cloudtrail.v20131101#InvalidNextTokenException","Message":"Invalid NextToken"}"#,
         nil, "InvalidNextTokenException", .serverError),
        (400, #"{"__type":"UnknownOperationException"}"#, nil, "UnknownOperationException", .configuration),
        (500, #"{"__type":"InternalFailure"}"#, nil, "InternalFailure", .serverError),
        (404, "<html>Not Found</html>", nil, "", .configuration),
    ] as [(Int, String, String?, String, ProviderError.Kind)])
    func mapping(status: Int, body: String, header: String?, code: String, kind: ProviderError.Kind) {
        let error = Self.error(status, body, header: header)
        #expect(error.code == code)
        #expect(error.isThrottling == (kind == .throttled))
        let provider = error.providerError(what: "LookupEvents")
        #expect(provider.kind == kind)
        #expect(provider.message.hasPrefix("LookupEvents: HTTP \(status) \(code)"))
    }

    @Test("clock skew is a configuration problem, not bad credentials", arguments: [
        "Signature expired: 20231114T220000Z is now earlier than 20231114T221000Z (20231114T221500Z - 5 min.)",
        "Signature not yet current: 20231114T223000Z is still later than 20231114T222000Z (20231114T221500Z + 5 min.)",
    ])
    func clockSkew(message: String) {
        let error = Self.error(400, #"{"__type":"InvalidSignatureException","message":"\#(message)"}"#).providerError(what: "LookupEvents")
        #expect(error.kind == .configuration)
        #expect(error.message.contains("clock"))
    }

    @Test("only the first line of a message is kept: AWS appends the canonical request, session token included")
    func firstLineOnly() {
        let token = "FQoGZXIvYXdzEXAMPLEsessiontoken0123456789"
        let message = "The request signature we calculated does not match the signature you provided.\\n\\nThe Canonical "
            + "String for this request should have been\\n'POST\\n/\\n\\nhost:cloudtrail.us-east-1.amazonaws.com\\n"
            + "x-amz-security-token:\(token)\\n'"
        let error = Self.error(400, #"{"__type":"InvalidSignatureException","message":"\#(message)"}"#)
        #expect(error.message == "The request signature we calculated does not match the signature you provided.")
        #expect(!error.providerError(what: "LookupEvents").description.contains(token))
    }

    @Test("a CRLF line break ends the first line too (Swift reads CRLF as one Character)")
    func firstLineOnlyAtCRLF() {
        let token = "FQoGZXIvYXdzEXAMPLEsessiontoken0123456789"
        let message = "The request signature we calculated does not match the signature you provided.\\r\\n\\r\\nThe Canonical "
            + "String for this request should have been\\r\\n'POST\\r\\n/\\r\\nx-amz-security-token:\(token)\\r\\n'"
        let error = Self.error(400, #"{"__type":"InvalidSignatureException","message":"\#(message)"}"#)
        #expect(error.message == "The request signature we calculated does not match the signature you provided.")
        #expect(!error.providerError(what: "LookupEvents").description.contains(token))
    }

    @Test("a secret echoed in a message is redacted, and messages are bounded")
    func redaction() {
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        let error = Self.error(400, #"{"__type":"ValidationException","message":"bad value \#(secret) here"}"#, secrets: [secret])
        #expect(error.message == "bad value <redacted> here")
        let long = Self.error(400, #"{"__type":"ValidationException","message":"\#(String(repeating: "x", count: 5000))"}"#)
        #expect(long.message.count == 300)
    }

    @Test("throttling backoff doubles from 1 s to 20 s and always waits at least half a step", arguments: [
        (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0), (6, 20.0), (40, 20.0),
    ])
    func backoff(throttle: Int, ceiling: Double) {
        let backoff = ThrottleBackoff()
        #expect(backoff.ceiling(afterThrottle: throttle) == ceiling)
        #expect(backoff.delay(afterThrottle: throttle, random: 0) == ceiling / 2)
        #expect(backoff.delay(afterThrottle: throttle, random: 1) == ceiling)
        #expect(backoff.delay(afterThrottle: throttle, random: 7) == ceiling)
    }

    // MARK: provider setup

    static func context(credentials: String, settings: String = "{}") throws -> ProviderContext {
        try TestSupport.context(.aws, credentials: credentials, settings: settings, sourceID: "s")
    }

    static let credentials = #"{"access_key_id":"AKIAZ5EXAMPLEKEY0001","secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY","region":"eu-west-1"}"#

    @Test("the provider collects one stream, cloudtrail, unless settings.streams leaves it out")
    func streams() throws {
        #expect(try AWSCloudTrailProvider(context: Self.context(credentials: Self.credentials)).streams.map(\.name) == ["cloudtrail"])
        let none = try AWSCloudTrailProvider(context: Self.context(credentials: Self.credentials, settings: #"{"streams":[]}"#))
        #expect(none.streams.isEmpty)
        #expect(ProviderRegistry.factory(for: .aws) != nil)
    }

    @Test("incomplete credentials or an unusable endpoint_url are configuration errors", arguments: [
        (#"{"access_key_id":"AKIAZ5EXAMPLEKEY0001","region":"eu-west-1"}"#, "{}"),
        (#"{"access_key_id":"AKIAZ5EXAMPLEKEY0001","secret_access_key":"s3cr3t-s3cr3t-s3cr3t"}"#, "{}"),
        (#"{"access_key_id":"","secret_access_key":"s3cr3t-s3cr3t-s3cr3t","region":"eu-west-1"}"#, "{}"),
        (credentials, #"{"endpoint_url":"http://cloudtrail.eu-west-1.amazonaws.com"}"#),
    ])
    func badSetup(credentials: String, settings: String) throws {
        let context = try Self.context(credentials: credentials, settings: settings)
        #expect {
            _ = try AWSCloudTrailProvider(context: context)
        } throws: { error in
            guard let error = error as? ProviderError, error.kind == .configuration else { return false }
            return !error.message.contains("s3cr3t") && !error.message.contains("wJalr")
        }
    }

    @Test("sources share LookupEvents' budget by access key and region")
    func pacingKey() {
        let key = AWSCloudTrailProvider.pacingKey
        #expect(key("AKIAZ5EXAMPLEKEY0001", "eu-west-1") == key("AKIAZ5EXAMPLEKEY0001", "eu-west-1"))
        #expect(key("AKIAZ5EXAMPLEKEY0001", "eu-west-1") != key("AKIAZ5EXAMPLEKEY0001", "us-east-1"))
        #expect(key("AKIAZ5EXAMPLEKEY0001", "eu-west-1") != key("AKIAZ5EXAMPLEKEY0002", "eu-west-1"))
        #expect(CloudTrailReader.budget == RateLimiter.Budget(requests: 2, perSeconds: 1))
    }
}

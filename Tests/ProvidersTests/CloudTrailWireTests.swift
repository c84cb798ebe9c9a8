import Curl
import Foundation
import JSONBytes
@testable import Providers
import SigV4
import Testing
import UTCTime

@Suite("CloudTrail endpoint, request, signing, response page")
struct CloudTrailWireTests {
    @Test("endpoints by region and overrides", arguments: [
        ("us-east-1", nil, "https://cloudtrail.us-east-1.amazonaws.com/", "cloudtrail.us-east-1.amazonaws.com", "/"),
        ("us-gov-west-1", nil, "https://cloudtrail.us-gov-west-1.amazonaws.com/", "cloudtrail.us-gov-west-1.amazonaws.com", "/"),
        ("cn-north-1", nil, "https://cloudtrail.cn-north-1.amazonaws.com.cn/", "cloudtrail.cn-north-1.amazonaws.com.cn", "/"),
        ("us-east-1", "https://vpce-0a1b2c3d.cloudtrail.us-east-1.vpce.amazonaws.com",
         "https://vpce-0a1b2c3d.cloudtrail.us-east-1.vpce.amazonaws.com/", "vpce-0a1b2c3d.cloudtrail.us-east-1.vpce.amazonaws.com", "/"),
        ("us-east-1", "https://cloudtrail-fips.us-east-1.amazonaws.com:443/",
         "https://cloudtrail-fips.us-east-1.amazonaws.com:443/", "cloudtrail-fips.us-east-1.amazonaws.com", "/"),
        ("eu-west-1", "https://127.0.0.1:8443", "https://127.0.0.1:8443/", "127.0.0.1:8443", "/"),
        ("eu-west-1", "https://[::1]:8443/ct", "https://[::1]:8443/ct", "[::1]:8443", "/ct"),
    ] as [(String, String?, String, String, String)])
    func endpoints(region: String, override: String?, url: String, host: String, path: String) throws {
        let endpoint = try #require(CloudTrailEndpoint.resolve(region: region, override: override))
        #expect(endpoint == CloudTrailEndpoint(url: url, host: host, path: path))
    }

    @Test("overrides SigV4 could not sign faithfully are refused", arguments: [
        "http://cloudtrail.us-east-1.amazonaws.com", "https://", "https:///ct", "https://user@host",
        "https://host/?x=1", "https://host/#frag", "ftp://host",
    ])
    func badOverrides(override: String) {
        #expect(CloudTrailEndpoint.resolve(region: "us-east-1", override: override) == nil)
    }

    @Test("the body rounds the window outwards to whole seconds and caps MaxResults at 50")
    func body() {
        let window = TimeWindow(start: UTCTimestamp(microseconds: 1_700_000_000_900_000),
                                end: UTCTimestamp(microseconds: 1_700_003_600_000_001))
        #expect(CloudTrailSamples.text(LookupEvents.body(window: window, maxResults: 1000, nextToken: nil))
            == #"{"StartTime":1700000000,"EndTime":1700003601,"MaxResults":50}"#)
        let exact = TimeWindow(start: UTCTimestamp(seconds: 1_700_000_000), end: UTCTimestamp(seconds: 1_700_003_600))
        #expect(CloudTrailSamples.text(LookupEvents.body(window: exact, maxResults: 20, nextToken: #"a"b\c/=="#))
            == #"{"StartTime":1700000000,"EndTime":1700003600,"MaxResults":20,"NextToken":"a\"b\\c/=="}"#)
        #expect(CloudTrailSamples.text(LookupEvents.body(window: exact, maxResults: 0, nextToken: nil)).contains(#""MaxResults":1}"#))
    }

    @Test("only events inside the window are kept: the whole-second bounds ask for a little more")
    func windowEdges() {
        let window = TimeWindow(start: UTCTimestamp(microseconds: 1_700_000_000_400_000),
                                end: UTCTimestamp(microseconds: 1_700_003_600_400_000))
        // 1700000000 is returned (StartTime is rounded down) but lies before the window: a
        // previous poll delivered it, and the checkpoint no longer remembers it.
        #expect(!CloudTrailReader.isInside(UTCTimestamp(seconds: 1_700_000_000), window))
        #expect(CloudTrailReader.isInside(window.start, window))
        #expect(CloudTrailReader.isInside(UTCTimestamp(seconds: 1_700_000_001), window))
        #expect(CloudTrailReader.isInside(window.end, window))
        #expect(!CloudTrailReader.isInside(UTCTimestamp(seconds: 1_700_003_601), window))
    }

    @Test("a page yields its events and the next token; the last page has none")
    func page() throws {
        let page = try LookupEvents.Page(parsing: CloudTrailSamples.bytes(#"{"Events":[{"EventId":"a"},{"EventId":"b"}],"NextToken":"t1"}"#))
        #expect(Array(page.events).map { $0["EventId"]?.stringValue } == ["a", "b"])
        #expect(page.nextToken == "t1")
        #expect(try LookupEvents.Page(parsing: CloudTrailSamples.bytes(#"{"Events":[]}"#)).nextToken == nil)
        #expect(try LookupEvents.Page(parsing: CloudTrailSamples.bytes(#"{"NextToken":"","Events":[]}"#)).nextToken == nil)
        #expect(try LookupEvents.Page(parsing: CloudTrailSamples.bytes(#"{"Events":[],"NextToken":null}"#)).nextToken == nil)
    }

    @Test("a page without Events, or cut short, is a malformed response", arguments: [
        #"{"events":[]}"#, #"{"Events":{}}"#, #"{"Events":[{"EventId":"a"},{"Ev"#, "", "<html>502</html>",
    ])
    func malformedPage(body: String) {
        #expect {
            _ = try LookupEvents.Page(parsing: CloudTrailSamples.bytes(body))
        } throws: { ($0 as? ProviderError)?.kind == .malformedResponse }
    }

    // The expected Authorization values were computed by botocore 1.44.8 (SigV4Auth.add_auth) for
    // the same request, date and credentials: an independent implementation of the same signature.
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let window = TimeWindow(start: UTCTimestamp(seconds: 1_440_936_000), end: UTCTimestamp(seconds: 1_440_938_160))

    @Test("requests are signed as botocore signs them", arguments: [
        (nil, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/cloudtrail/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            + "Signature=47739079506bc4589ee14fef7257003aa0057b59096ded99efee1ff207d37b4a"),
        ("FQoGZXIvYXdzEXAMPLE//token+with/slashes==", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/cloudtrail/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
            + "Signature=2621f7409d4a1671b717be085450e725c8c1d8d783b3701a253a8fe1d6478fe3"),
    ] as [(String?, String)])
    func signature(sessionToken: String?, authorization: String) throws {
        var credentials = Self.credentials
        credentials.sessionToken = sessionToken
        let endpoint = try #require(CloudTrailEndpoint.resolve(region: "eu-west-1", override: nil))
        let auth = CloudTrailAuth(credentials: credentials, region: "eu-west-1", endpoint: endpoint)
        let body = LookupEvents.body(window: Self.window, maxResults: 50, nextToken: nil)
        let request = auth.request(target: LookupEvents.target, body: body, date: Self.date)
        #expect(request.method == .post && request.url == "https://cloudtrail.eu-west-1.amazonaws.com/")
        #expect(request.body == body)
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        #expect(headers["host"] == "cloudtrail.eu-west-1.amazonaws.com")
        #expect(headers["content-type"] == "application/x-amz-json-1.1")
        #expect(headers["x-amz-target"] == "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents")
        #expect(headers["x-amz-date"] == "20150830T123600Z")
        #expect(headers["x-amz-security-token"] == sessionToken)
        #expect(headers["authorization"] == authorization)
    }

    @Test("an endpoint with a port and a path is signed with both")
    func signatureWithPortAndPath() throws {
        let endpoint = try #require(CloudTrailEndpoint.resolve(region: "us-gov-west-1", override: "https://127.0.0.1:8443/ct"))
        let auth = CloudTrailAuth(credentials: Self.credentials, region: "us-gov-west-1", endpoint: endpoint)
        let body = LookupEvents.body(window: Self.window, maxResults: 50, nextToken: "tok/en+==")
        let request = auth.request(target: LookupEvents.target, body: body, date: Self.date)
        #expect(request.url == "https://127.0.0.1:8443/ct")
        #expect(request.headers.first { $0.name == "Authorization" }?.value
            == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-gov-west-1/cloudtrail/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            + "Signature=778f71505bce68cf383c518f2538280a94eae112493ded620d4f7317a7de5818")
    }
}

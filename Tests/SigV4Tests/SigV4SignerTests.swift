import Foundation
import SigV4
import Testing

@Suite("SigV4Signer")
struct SigV4SignerTests {
    let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    let date = Date(timeIntervalSince1970: 1_440_938_160)

    func canonicalLines(_ request: SignableRequest, options: SigV4Signer.Options = .init()) -> [Substring] {
        SigV4Signer(credentials: credentials, region: "us-east-1", service: "service", options: options)
            .canonicalRequest(for: request).canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test("X-Amz-Date and the date stamp are UTC basic ISO 8601", arguments: [
        (1_440_938_160.0, "20150830T123600Z", "20150830"),
        (0.0, "19700101T000000Z", "19700101"),
        (951_782_400.0, "20000229T000000Z", "20000229"),
        (1_798_761_599.9, "20261231T235959Z", "20261231"),
    ])
    func dates(seconds: Double, amzDate: String, stamp: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(SigV4Signer.amzDate(date) == amzDate)
        #expect(SigV4Signer.dateStamp(date) == stamp)
    }

    @Test("a wire path that is already encoded is encoded again for non-S3 services")
    func doubleEncoding() {
        let request = SignableRequest(method: "GET", path: "/a%20b/c+d", headers: [("Host", "h")])
        #expect(canonicalLines(request)[1] == "/a%2520b/c%2Bd")
        // S3 signs the wire path as is and never normalizes it.
        let s3 = SigV4Signer.Options(normalizesPath: false, encodesPath: false)
        #expect(canonicalLines(SignableRequest(method: "GET", path: "/b//k%20ey/./x"), options: s3)[1] == "/b//k%20ey/./x")
    }

    @Test("path normalization", arguments: [
        ("", "/"), ("/", "/"), ("/a/b/../c", "/a/c"), ("/a/b/..", "/a/"), ("/a/./", "/a/"),
        ("/../a", "/a"), ("a/b", "/a/b"), ("/a//b///", "/a/b/"),
    ])
    func normalization(path: String, expected: String) {
        #expect(canonicalLines(SignableRequest(method: "GET", path: path))[1] == Substring(expected))
    }

    @Test("query parameters are decoded, AWS-encoded and sorted by name then value")
    func query() {
        let request = SignableRequest(method: "GET", path: "/", query: "b=2&a=%7e x&a=1&c&&e=a+b%2Fc&d=%zz")
        #expect(canonicalLines(request)[2] == "a=1&a=~%20x&b=2&c=&d=%25zz&e=a%2Bb%2Fc")
    }

    @Test("header names are lower-cased and values trimmed, squeezed and joined")
    func headers() {
        let request = SignableRequest(
            method: "POST", path: "/",
            headers: [("Host", "h"), ("X-B", "  two\t\tspaces  here "), ("x-a", "1"), ("X-A", " 2 ")])
        let lines = canonicalLines(request)
        #expect(Array(lines[3...5]) == ["host:h", "x-a:1,2", "x-b:two spaces here"])
        #expect(lines[7] == "host;x-a;x-b")
    }

    /// The shape the CloudTrail provider sends: JSON 1.1 POST with temporary credentials.
    @Test("signing a CloudTrail LookupEvents request")
    func cloudTrail() {
        var withToken = credentials
        withToken.sessionToken = "FwoGZXIvYXdzEXAMPLETOKEN"
        let signer = SigV4Signer(credentials: withToken, region: "eu-west-1", service: "cloudtrail")
        var request = SignableRequest(
            method: "POST", path: "/",
            headers: [
                ("Host", "cloudtrail.eu-west-1.amazonaws.com"),
                ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"),
                ("Authorization", "stale"),
            ],
            body: Array(#"{"MaxResults":50}"#.utf8))
        let result = signer.sign(&request, date: date)

        #expect(result.signedHeaders == "content-type;host;x-amz-date;x-amz-security-token;x-amz-target")
        #expect(request.values(forHeader: "authorization") == [result.authorization])
        #expect(request.values(forHeader: "x-amz-date") == ["20150830T123600Z"])
        #expect(request.values(forHeader: "x-amz-security-token") == ["FwoGZXIvYXdzEXAMPLETOKEN"])
        #expect(result.authorization.hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/cloudtrail/aws4_request, SignedHeaders="))
        #expect(result.signature.count == 64)

        // Signing again (a retry) replaces, never duplicates, the headers it owns.
        let again = signer.sign(&request, date: date.addingTimeInterval(60))
        #expect(request.values(forHeader: "authorization") == [again.authorization])
        #expect(request.values(forHeader: "x-amz-date") == ["20150830T123700Z"])
        #expect(again.signature != result.signature)
    }

    @Test("x-amz-content-sha256 is added and used as the payload hash when asked")
    func contentHash() {
        let signer = SigV4Signer(
            credentials: credentials, region: "us-east-1", service: "s3",
            options: .init(normalizesPath: false, encodesPath: false, addsContentSHA256Header: true))
        var request = SignableRequest(method: "PUT", path: "/k", headers: [("Host", "b.s3.amazonaws.com")], body: Array("hi".utf8))
        let result = signer.sign(&request, date: date)
        let hash = "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"
        #expect(request.values(forHeader: "x-amz-content-sha256") == [hash])
        #expect(result.canonicalRequest.hasSuffix("\n" + hash))
    }

    @Test("credentials never print their secrets")
    func redaction() {
        let text = "\(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET", sessionToken: "TOKEN"))"
        #expect(text.contains("AKID"))
        #expect(!text.contains("SECRET") && !text.contains("TOKEN"))
    }
}

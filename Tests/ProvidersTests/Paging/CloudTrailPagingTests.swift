import Catalog
import Testing
import TestSupport
@testable import Providers

/// CloudTrail `LookupEvents` through `CloudTrailReader`: `NextToken` in the signed POST body,
/// throttling as HTTP 400 `ThrottlingException` (which `ProviderHTTP` cannot see), 5xx retries,
/// loops and the deadline. No token to refresh: SigV4 signs every request with the key itself.
@Suite struct CloudTrailPagingTests {
    static let endpoint = "https://cloudtrail.eu-west-1.amazonaws.com/"
    static let token1 = "kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4IDbeQdiObkp9YAlju3oXd12juy3CIZW8="
    static let emptyToken = "Z2V0IG1vcmUgZXZlbnRzIGZyb20gdGhlIHBhcnRpdGlvbiBiZWxvdw=="
    static let page1IDs = ["3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f03", "3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f02"]
    static let page2IDs = ["3b0e5d2c-7a41-4a57-9a43-5d1c2b8e9f01"]
    static let throttling = ScriptedReply.json(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#, status: 400,
                                               headers: [("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/")])

    let transport = ScriptedTransport()
    let clock = FakeClock()

    func provider(retry: RetryPolicy = RetryPolicy(), deadline: Double = .infinity, limiter: RateLimiter? = nil) throws -> AWSCloudTrailProvider {
        try AWSCloudTrailProvider(context: context(.aws, credentials: CloudTrailErrorsTests.credentials, transport: transport, clock: clock,
                                                   limiter: limiter, retry: retry, deadline: deadline))
    }

    static func page(after token: String?) -> RequestMatcher {
        .post(endpoint, bodyContains: token.map { #""NextToken":"\#($0)""# } ?? #""MaxResults":50}"#)
    }

    @Test func nextTokensAreFollowedToTheEndEachRequestSigned() throws {
        transport.expect(Self.page(after: nil), try .page("cloudtrail-lookupEvents-1"))
        transport.expect(Self.page(after: Self.token1), try .page("cloudtrail-lookupEvents-2"))
        #expect(try Paging.read(try provider()) == [Self.page1IDs, Self.page2IDs])
        for request in transport.requests {
            #expect(request.header("X-Amz-Target") == "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents")
            #expect(request.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAZ5EXAMPLEKEY0001/") == true)
            #expect(request.bodyText.hasPrefix(#"{"StartTime":1772366400,"EndTime":1772370000,"MaxResults":50"#))
        }
        #expect(transport.remaining == 0)
    }

    @Test func aThrottlingExceptionBacksOffAndPausesTheAccountsBudget() throws {
        let limiter = clock.limiter()
        transport.expect(Self.page(after: nil), Self.throttling)
        transport.expect(Self.page(after: nil), try .page("cloudtrail-lookupEvents-2"))
        #expect(try Paging.read(try provider(limiter: limiter)) == [Self.page2IDs])
        let backoff = ThrottleBackoff()
        #expect(clock.sleeps.count == 1)
        #expect(clock.sleeps[0] >= backoff.ceiling(afterThrottle: 1) / 2 && clock.sleeps[0] <= backoff.ceiling(afterThrottle: 1))
        // The reader never sleeps itself: it pauses the account and region's budget in the run's shared
        // limiter, and the one wait is the retry acquiring past that pause (as any other source would).
        #expect(transport.requests.count == 2)
    }

    @Test func throttlingThatNeverEndsGivesUpAfterTheBackoffsRetries() throws {
        let backoff = ThrottleBackoff()
        transport.expect(Self.page(after: nil), Self.throttling, times: backoff.maxRetries + 1)
        let (_, error) = Paging.failure(try provider())
        #expect(error?.kind == .throttled && error?.message.contains("still throttled") == true)
        #expect(transport.remaining == 0)
    }

    @Test func serverErrorsBackOffThenGiveUpAfterMaxAttempts() throws {
        let policy = RetryPolicy(maxAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 4)
        transport.expect(Self.page(after: nil), .json(#"{"__type":"InternalFailure"}"#, status: 500), times: 3)
        let (_, error) = Paging.failure(try provider(retry: policy))
        #expect(error?.kind == .serverError && transport.remaining == 0)
    }

    @Test func badKeysAreBadCredentialsAtOnce() throws {
        transport.expect(Self.page(after: nil), .json(#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#, status: 400))
        let (_, error) = Paging.failure(try provider())
        #expect(error?.kind == .badCredentials && transport.requests.count == 1)
    }

    @Test func aRepeatedNextTokenStops() throws {
        transport.expect(Self.page(after: nil), try .page("cloudtrail-lookupEvents-1"))
        transport.expect(Self.page(after: Self.token1), try .page("cloudtrail-lookupEvents-1"))
        let (pages, error) = Paging.failure(try provider())
        #expect(pages == [Self.page1IDs, Self.page1IDs] && error?.kind == .malformedResponse)
    }

    @Test func anEmptyPageWithATokenIsFollowedAndARepeatStops() throws {
        transport.expect(Self.page(after: nil), try .page("cloudtrail-lookupEvents-empty-with-token"))
        transport.expect(Self.page(after: Self.emptyToken), try .page("cloudtrail-lookupEvents-2"))
        #expect(try Paging.read(try provider()) == [[], Self.page2IDs])

        let again = ScriptedTransport()
        again.expect(Self.page(after: nil), try .page("cloudtrail-lookupEvents-empty-with-token"))
        again.expect(Self.page(after: Self.emptyToken), try .page("cloudtrail-lookupEvents-empty-with-token"))
        let looping = try AWSCloudTrailProvider(context: context(.aws, credentials: CloudTrailErrorsTests.credentials, transport: again, clock: clock))
        #expect(Paging.failure(looping).error?.kind == .malformedResponse)
    }

    @Test func noRequestStartsAfterTheDeadline() throws {
        let slow = ScriptedTransport(onSend: { [clock] _ in clock.advance(10) })
        slow.expect(Self.page(after: nil), try .page("cloudtrail-lookupEvents-1"))
        let provider = try AWSCloudTrailProvider(context: context(.aws, credentials: CloudTrailErrorsTests.credentials, transport: slow,
                                                                  clock: clock, deadline: clock.now + 5))
        let (pages, error) = Paging.failure(provider)
        #expect(pages == [Self.page1IDs] && error?.kind == .deadline)
        #expect(slow.requests.count == 1)
    }
}

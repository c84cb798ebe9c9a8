import Catalog
import Foundation
import Testing
import TestSupport
@testable import Providers

/// Cloud Logging `entries:list` through `CloudLoggingReader`: `nextPageToken` in the POST body,
/// the service-account token refreshed on a 401, throttling and retries on the fake clock.
@Suite struct CloudLoggingPagingTests {
    static let tokenURL = "https://oauth2.googleapis.com/token"
    static let list = "https://logging.googleapis.com/v2/entries:list"
    static let page1IDs = ["projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity#-x7b2kqe1a2b3",
                           "projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity#1q2w3e4r5t6y"]
    static let page2IDs = ["projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity#a9s8d7f6g5h4"]
    static let token1 = "EAA4suKu3qnLwbtrSg2AKEpbG5yZXFxEAVKDgjEqd6CBhCwgYRUGKrf7IOKPgoMMDA2NjQwNjY3MDg4"
    static let token2 = "EAA4suKu3qnLwbtrSg2AKEpbG5yZXFxEAVKDgjEqd6CBhCwgYRUGKrf7IOKPgoMMDA2NjQwNjY3MDg5"

    let transport = ScriptedTransport()
    let clock = FakeClock()

    func provider(retry: RetryPolicy = RetryPolicy(), deadline: Double = .infinity) throws -> GCPProvider {
        try GCPProvider(context: context(.gcp, credentials: ProviderSetupTests.gcpKey(), transport: transport, clock: clock,
                                         retry: retry, deadline: deadline))
    }

    func expectToken(_ token: String) {
        transport.expect(.post(Self.tokenURL, bodyContains: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"), .token(token))
    }

    static func page(after token: String?) -> RequestMatcher {
        .post(list, bodyContains: token.map { #""pageToken":"\#($0)""# } ?? #""pageSize":1000}"#)
    }

    @Test func nextPageTokensAreFollowedToTheEnd() throws {
        expectToken("g1")
        transport.expect(Self.page(after: nil), try .page("gcp-entries-1"))
        transport.expect(Self.page(after: Self.token1), try .page("gcp-entries-2"))
        #expect(try Paging.read(try provider()) == [Self.page1IDs, Self.page2IDs])
        let lists = transport.requests.dropFirst()
        // The token is only valid with the same other fields: the window is written identically on every page.
        #expect(lists.map { $0.bodyText.replacingOccurrences(of: #","pageToken":"\#(Self.token1)""#, with: "") }.allSatisfy { $0 == lists.first?.bodyText })
        #expect(lists.allSatisfy { $0.header("Authorization") == "Bearer g1" })
        #expect(transport.remaining == 0)
    }

    @Test func a401RefreshesTheTokenOnce() throws {
        expectToken("g1")
        transport.expect(Self.page(after: nil), .json(#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#, status: 401))
        expectToken("g2")
        transport.expect(Self.page(after: nil), try .page("gcp-entries-2"))
        #expect(try Paging.read(try provider()) == [Self.page2IDs])
        #expect(transport.requests.last?.header("Authorization") == "Bearer g2")
    }

    @Test func aSecond401IsBadCredentials() throws {
        let unauthenticated = ScriptedReply.json(#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#, status: 401)
        expectToken("g1")
        transport.expect(Self.page(after: nil), unauthenticated)
        expectToken("g2")
        transport.expect(Self.page(after: nil), unauthenticated)
        let (_, error) = Paging.failure(try provider())
        #expect(error?.kind == .badCredentials && transport.remaining == 0)
    }

    @Test func a429WithRetryAfterWaitsExactlyThatLong() throws {
        expectToken("g1")
        transport.expect(Self.page(after: nil), .status(429, headers: [("Retry-After", "4")]))
        transport.expect(Self.page(after: nil), try .page("gcp-entries-2"))
        #expect(try Paging.read(try provider()) == [Self.page2IDs])
        #expect(clock.sleeps == [4])
    }

    @Test func quotaExhaustionWithoutRetryAfterBacksOffThenCoolsDown() throws {
        // RESOURCE_EXHAUSTED comes as 429 without Retry-After: the policy's backoff, then Cloud Logging's per-minute cool-down.
        let policy = RetryPolicy(maxAttempts: 2, baseDelaySeconds: 1, maxDelaySeconds: 8)
        let exhausted = ScriptedReply.json(#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Read requests'","status":"RESOURCE_EXHAUSTED"}}"#, status: 429)
        expectToken("g1")
        transport.expect(Self.page(after: nil), exhausted, times: 2)
        transport.expect(Self.page(after: nil), try .page("gcp-entries-2"))
        #expect(try Paging.read(try provider(retry: policy)) == [Self.page2IDs])
        #expect(clock.sleeps.count == 2)
        #expect(clock.sleeps[0] <= policy.backoffCeiling(afterAttempt: 1))
        #expect(clock.sleeps[1] == CloudLoggingReader.quotaCooldownSeconds[0])
    }

    @Test func aRetryAfterLongerThanThePolicyWaitsEndsThePollWithoutACoolDown() throws {
        // The cool-down is for RESOURCE_EXHAUSTED without Retry-After. A Retry-After past the policy's
        // longest wait ends the source's poll as throttled: no cool-down, no wait for the paused budget.
        expectToken("g1")
        transport.expect(Self.page(after: nil), .status(429, headers: [("Retry-After", "300")]))
        let (_, error) = Paging.failure(try provider(retry: RetryPolicy(maxRetryAfterSeconds: 120)))
        #expect(error?.kind == .throttled)
        #expect(clock.sleeps.isEmpty)
        #expect(transport.requests.count == 2)
    }

    @Test func serverErrorsGiveUpAfterMaxAttempts() throws {
        let policy = RetryPolicy(maxAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 4)
        expectToken("g1")
        transport.expect(Self.page(after: nil), .status(500), times: 3)
        let (_, error) = Paging.failure(try provider(retry: policy))
        #expect(error?.kind == .serverError && transport.remaining == 0)
        #expect(clock.sleeps.count == 2 && clock.sleeps.allSatisfy { $0 <= 2 })
    }

    @Test func aRepeatedPageTokenStops() throws {
        expectToken("g1")
        transport.expect(Self.page(after: nil), try .page("gcp-entries-1"))
        transport.expect(Self.page(after: Self.token1), try .page("gcp-entries-1"))
        let (pages, error) = Paging.failure(try provider())
        #expect(pages == [Self.page1IDs, Self.page1IDs])
        #expect(error?.kind == .malformedResponse && error?.message.contains("nextPageToken") == true)
    }

    @Test func anEmptyPageWithATokenIsFollowedAndARepeatStops() throws {
        expectToken("g1")
        transport.expect(Self.page(after: nil), try .page("gcp-entries-empty-with-token"))
        transport.expect(Self.page(after: Self.token2), try .page("gcp-entries-2"))
        #expect(try Paging.read(try provider()) == [[], Self.page2IDs])

        let again = ScriptedTransport()
        again.expect(.post(Self.tokenURL), .token("g1"))
        again.expect(Self.page(after: nil), try .page("gcp-entries-empty-with-token"))
        again.expect(Self.page(after: Self.token2), try .page("gcp-entries-empty-with-token"))
        let looping = try GCPProvider(context: context(.gcp, credentials: ProviderSetupTests.gcpKey(), transport: again, clock: clock))
        #expect(Paging.failure(looping).error?.kind == .malformedResponse)
    }

    @Test func noRequestStartsAfterTheDeadline() throws {
        let slow = ScriptedTransport(onSend: { [clock] _ in clock.advance(10) })
        slow.expect(.post(Self.tokenURL), .token("g1"))
        slow.expect(Self.page(after: nil), try .page("gcp-entries-1"))
        let provider = try GCPProvider(context: context(.gcp, credentials: ProviderSetupTests.gcpKey(), transport: slow,
                                                        clock: clock, deadline: clock.now + 15))
        let (pages, error) = Paging.failure(provider)
        #expect(pages == [Self.page1IDs] && error?.kind == .deadline)
        #expect(slow.requests.count == 2)
    }
}

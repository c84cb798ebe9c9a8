import Catalog
import Curl
import Testing
import TestSupport
@testable import Providers

/// Microsoft Graph (`@odata.nextLink`) and ARM (`nextLink`) through `ODataPageReader`, against
/// recorded pages: paging, token refresh, throttling, retries, loops and the run's deadline.
@Suite struct GraphPagingTests {
    static let credentials = #"{"tenant_id":"72f988bf-86f1-41af-91ab-2d7cd011db47","client_id":"f0e1d2c3-b4a5-4697-8887-969594939291","client_secret":"s3cr3t-s3cr3t-s3cr3t"}"#
    static let tokenURL = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    static let audits = "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits"
    static let firstPage = RequestMatcher.get(audits, query: [("$top", "1000")])
    static let secondPage = RequestMatcher.get(audits, query: [("$skiptoken", "6c8b1a2e7d0f4d3b9a4f")])
    static let afterEmptyPage = RequestMatcher.get(audits, query: [("$skiptoken", "e1f0a9b8c7d6")])
    static let page1IDs = ["Directory_ce22f9d4-3b77-4e4d-a9e3-ab0a3c6b5f2c_7ZHLZ_64716013",
                           "Directory_0b7e3c52-81f1-4d39-9d0e-2a6f4b8c1d90_YQ2NK_22018457"]
    static let page2IDs = ["Directory_5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a_K8QWE_90817263"]

    let transport = ScriptedTransport()
    let clock = FakeClock()

    func provider(retry: RetryPolicy = RetryPolicy(), deadline: Double = .infinity) throws -> Microsoft365Provider {
        try Microsoft365Provider(context: context(.microsoft365, credentials: Self.credentials, settings: #"{"streams":["directory_audits"]}"#,
                                                  transport: transport, clock: clock, retry: retry, deadline: deadline))
    }

    func expectToken(_ token: String) {
        transport.expect(.post(Self.tokenURL, bodyContains: "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"), .token(token))
    }

    @Test func pagesAreFollowedToTheEndWithTheLinkExactlyAsReturned() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, try .page("graph-directoryAudits-1"))
        transport.expect(Self.secondPage, try .page("graph-directoryAudits-2"))
        #expect(try Paging.read(try provider()) == [Self.page1IDs, Self.page2IDs])
        let gets = transport.requests.filter { $0.method == .get }
        #expect(gets[0].queryItem("$filter") == "activityDateTime ge 2026-03-01T12:00:00Z and activityDateTime le 2026-03-01T13:00:00Z")
        #expect(gets[0].queryItem("$orderby") == "activityDateTime asc")
        #expect(gets[1].url == "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$filter=activityDateTime+ge+2026-03-01T12%3a00%3a00Z+and+activityDateTime+le+2026-03-01T13%3a00%3a00Z&$top=2&$orderby=activityDateTime+asc&$skiptoken=6c8b1a2e7d0f4d3b9a4f")
        #expect(gets.allSatisfy { $0.header("Authorization") == "Bearer t1" })
        #expect(transport.remaining == 0 && clock.sleeps.isEmpty)
    }

    @Test func a401RefreshesTheTokenOnceAndTheReadGoesOn() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, try .page("graph-directoryAudits-1"))
        transport.expect(Self.secondPage, .json(#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}"#, status: 401))
        expectToken("t2")
        transport.expect(Self.secondPage, try .page("graph-directoryAudits-2"))
        #expect(try Paging.read(try provider()) == [Self.page1IDs, Self.page2IDs])
        #expect(transport.requests.last?.header("Authorization") == "Bearer t2")
        #expect(transport.remaining == 0)
    }

    @Test func aSecond401IsBadCredentialsNotALoop() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, .json(#"{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed"}}"#, status: 401))
        expectToken("t2")
        transport.expect(Self.firstPage, .json(#"{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed"}}"#, status: 401))
        let (pages, error) = Paging.failure(try provider())
        #expect(pages.isEmpty)
        #expect(error?.kind == .badCredentials)
        #expect(error?.message.contains("InvalidAuthenticationToken") == true)
        #expect(transport.requests.count == 4 && transport.remaining == 0)
    }

    @Test func a429WithRetryAfterWaitsExactlyThatLong() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, .status(429, headers: [("Retry-After", "7")], #"{"error":{"code":"TooManyRequests"}}"#))
        transport.expect(Self.firstPage, try .page("graph-directoryAudits-2"))
        #expect(try Paging.read(try provider()) == [Self.page2IDs])
        #expect(clock.sleeps == [7])
    }

    @Test func a429RetryAfterPausesTheBudgetEverySourceOfTheAppShares() throws {
        // One run's limiter, shared by two sources of the same app registration and tenant.
        let limiter = clock.limiter()
        expectToken("t1")
        // Longer than the policy waits within a run: this source gives up at once...
        transport.expect(Self.firstPage, .status(429, headers: [("Retry-After", "30")]))
        let throttled = try Microsoft365Provider(context: context(
            .microsoft365, credentials: Self.credentials, transport: transport, clock: clock, limiter: limiter,
            retry: RetryPolicy(maxRetryAfterSeconds: 10)))
        #expect(Paging.failure(throttled).error?.kind == .throttled)
        #expect(clock.sleeps.isEmpty)
        // ...and the other source sends nothing to Graph before the 30 s are over.
        let other = ScriptedTransport()
        other.expect(.post(Self.tokenURL), .token("u1"))
        other.expect(Self.firstPage, try .page("graph-directoryAudits-2"))
        let start = clock.now
        let waiting = try Microsoft365Provider(context: context(
            .microsoft365, credentials: Self.credentials, transport: other, clock: clock, limiter: limiter, sourceID: "other"))
        #expect(try Paging.read(waiting) == [Self.page2IDs])
        #expect(clock.now - start == 30)
        #expect(other.remaining == 0)
    }

    @Test func a429WithoutRetryAfterBacksOffWithinThePolicysCeiling() throws {
        let policy = RetryPolicy(maxAttempts: 5, baseDelaySeconds: 2, maxDelaySeconds: 30)
        expectToken("t1")
        transport.expect(Self.firstPage, .status(429), times: 3)
        transport.expect(Self.firstPage, try .page("graph-directoryAudits-2"))
        #expect(try Paging.read(try provider(retry: policy)) == [Self.page2IDs])
        #expect(clock.sleeps.count == 3)
        for (attempt, slept) in clock.sleeps.enumerated() {
            #expect(slept >= 0 && slept <= policy.backoffCeiling(afterAttempt: attempt + 1))
        }
    }

    @Test(arguments: [(500, ProviderError.Kind.serverError), (503, .throttled), (502, .serverError)])
    func serverErrorsBackOffThenGiveUpAfterMaxAttempts(status: Int, kind: ProviderError.Kind) throws {
        let policy = RetryPolicy(maxAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 4)
        expectToken("t1")
        transport.expect(Self.firstPage, .status(status), times: 3)
        let (pages, error) = Paging.failure(try provider(retry: policy))
        #expect(pages.isEmpty && error?.kind == kind)
        #expect(transport.requests.count == 1 + 3 && transport.remaining == 0)
        #expect(clock.sleeps.count == 2)
        #expect(clock.sleeps[0] <= 1 && clock.sleeps[1] <= 2)
    }

    @Test func aConnectionFailureIsRetriedLikeA5xx() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, .connectionLost)
        transport.expect(Self.firstPage, try .page("graph-directoryAudits-2"))
        #expect(try Paging.read(try provider()) == [Self.page2IDs])
        #expect(clock.sleeps.count == 1)
    }

    @Test func aRepeatedNextLinkStopsTheReadWithAnError() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, try .page("graph-directoryAudits-1"))
        // The API answers the link with the same page, and the same link, again.
        transport.expect(Self.secondPage, try .page("graph-directoryAudits-1"))
        let (pages, error) = Paging.failure(try provider())
        #expect(pages == [Self.page1IDs, Self.page1IDs])
        #expect(error?.kind == .malformedResponse)
        #expect(error?.message.contains("nextLink repeated") == true)
        #expect(transport.remaining == 0)
    }

    @Test func anEmptyPageWithALinkIsFollowed() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, try .page("graph-directoryAudits-empty-with-link"))
        transport.expect(Self.afterEmptyPage, try .page("graph-directoryAudits-2"))
        #expect(try Paging.read(try provider()) == [[], Self.page2IDs])
    }

    @Test func emptyPagesRepeatingTheirLinkStop() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, try .page("graph-directoryAudits-empty-with-link"))
        transport.expect(Self.afterEmptyPage, try .page("graph-directoryAudits-empty-with-link"))
        let (pages, error) = Paging.failure(try provider())
        #expect(pages == [[], []])
        #expect(error?.kind == .malformedResponse)
    }

    @Test func noRequestStartsAfterTheDeadline() throws {
        // A slow server: each answer takes 10 s of the run.
        let slow = ScriptedTransport(onSend: { [clock] _ in clock.advance(10) })
        slow.expect(.post(Self.tokenURL), .token("t1"))
        slow.expect(Self.firstPage, try .page("graph-directoryAudits-1"))
        let provider = try Microsoft365Provider(context: context(
            .microsoft365, credentials: Self.credentials, settings: #"{"streams":["directory_audits"]}"#,
            transport: slow, clock: clock, deadline: clock.now + 15))
        let (pages, error) = Paging.failure(provider)
        #expect(pages == [Self.page1IDs])
        #expect(error?.kind == .deadline)
        #expect(slow.requests.count == 2)
    }

    @Test func aRetryThatWouldEndAfterTheDeadlineIsNotWaitedFor() throws {
        expectToken("t1")
        transport.expect(Self.firstPage, .status(429, headers: [("Retry-After", "60")]))
        let (_, error) = Paging.failure(try provider(deadline: clock.now + 30))
        #expect(error?.kind == .throttled)
        #expect(error?.message.contains("no time left") == true)
        #expect(clock.sleeps.isEmpty && transport.remaining == 0)
    }
}

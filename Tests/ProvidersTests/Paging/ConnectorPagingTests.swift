import Catalog
import Foundation
import JSONBytes
import Testing
import TestSupport
import UTCTime
@testable import Providers

/// The connector engine over recorded pages of the declared APIs, one connector per paging kind:
/// Okta (Link header), Salesforce (next URL in the body), Slack (next token), and a declaration
/// with offset paging; token refresh, the declared reset header, retries and loops.
@Suite struct ConnectorPagingTests {
    static let oktaLogs = "https://acme.okta.com/api/v1/logs"
    static let oktaSettings = #"{"okta_url":"https://acme.okta.com/"}"#
    static let oktaToken = #"{"api_token":"00aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"}"#
    static let oktaPage1 = ["6f8c2d4e-d7c1-11ee-9b2a-0d1e2f3a4b5c", "7a9d3e5f-d7c1-11ee-9b2a-0d1e2f3a4b5c"]
    static let oktaPage2 = ["8bae4f60-d7c1-11ee-9b2a-0d1e2f3a4b5c"]

    let transport = ScriptedTransport()
    let clock = FakeClock()

    func connector(_ name: String, credentials: String, settings: String = "{}", retry: RetryPolicy = RetryPolicy(),
                   deadline: Double = .infinity) throws -> ConnectorProvider {
        let declaration = try ConnectorEngineTests.declaration(name)
        return try connector(declaration, credentials: credentials, settings: settings, retry: retry, deadline: deadline)
    }

    func connector(_ declaration: ConnectorDeclaration, credentials: String, settings: String = "{}",
                   retry: RetryPolicy = RetryPolicy(), deadline: Double = .infinity) throws -> ConnectorProvider {
        try ConnectorProvider(context: context(Platform(defining: declaration.platform), credentials: credentials, settings: settings,
                                               transport: transport, clock: clock, retry: retry, deadline: deadline),
                              declaration: declaration)
    }

    static func link(after cursor: String) -> (name: String, value: String) {
        ("Link", #"<https://acme.okta.com/api/v1/logs?limit=1000>; rel="self", <https://acme.okta.com/api/v1/logs?after=\#(cursor)&limit=1000>; rel="next""#)
    }

    // MARK: Okta: the Link header

    @Test func oktaFollowsLinkHeadersUntilAnEmptyPage() throws {
        transport.expect(.get(Self.oktaLogs, query: [("sortOrder", "ASCENDING"), ("since", "2026-03-01T12:00:00.000Z")]),
                         try .page("okta-logs-1", headers: [Self.link(after: "1772366520123_1")]))
        transport.expect(.get(Self.oktaLogs, query: [("after", "1772366520123_1")]), try .page("okta-logs-2", headers: [Self.link(after: "1772368800000_1")]))
        // Okta always offers a next link: an empty page ends the window.
        transport.expect(.get(Self.oktaLogs, query: [("after", "1772368800000_1")]), .json("[]", headers: [Self.link(after: "1772368800000_1")]))
        let okta = try connector("okta", credentials: Self.oktaToken, settings: Self.oktaSettings)
        #expect(try Paging.read(okta) == [Self.oktaPage1, Self.oktaPage2, []])
        #expect(transport.requests.allSatisfy { $0.header("Authorization") == "SSWS 00aBcDeFgHiJkLmNoPqRsTuVwXyZ012345" })
        #expect(transport.remaining == 0)
    }

    @Test func oktaARepeatedLinkStops() throws {
        transport.expect(.get(Self.oktaLogs), try .page("okta-logs-1", headers: [Self.link(after: "1772366520123_1")]))
        transport.expect(.get(Self.oktaLogs), try .page("okta-logs-1", headers: [Self.link(after: "1772366520123_1")]))
        let (pages, error) = Paging.failure(try connector("okta", credentials: Self.oktaToken, settings: Self.oktaSettings))
        #expect(pages.count == 2 && error?.kind == .malformedResponse)
    }

    @Test func okta429WithoutRetryAfterWaitsForTheDeclaredResetHeader() throws {
        let reset = Int(UTCTimestamp.now().seconds) + 20
        transport.expect(.get(Self.oktaLogs), .json(#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#,
                                                    status: 429, headers: [("X-Rate-Limit-Reset", "\(reset)"), ("X-Rate-Limit-Remaining", "0")]))
        transport.expect(.get(Self.oktaLogs), try .page("okta-logs-2"))
        #expect(try Paging.read(try connector("okta", credentials: Self.oktaToken, settings: Self.oktaSettings)) == [Self.oktaPage2])
        // The reset is an epoch on the wall clock; the wait is what is left of it (give or take the test's own second).
        #expect(clock.sleeps.count == 1)
        #expect(clock.sleeps[0] > 18 && clock.sleeps[0] <= 20)
    }

    @Test func okta429WithRetryAfterWaitsExactlyThatLong() throws {
        transport.expect(.get(Self.oktaLogs), .status(429, headers: [("Retry-After", "3")]))
        transport.expect(.get(Self.oktaLogs), try .page("okta-logs-2"))
        #expect(try Paging.read(try connector("okta", credentials: Self.oktaToken, settings: Self.oktaSettings)) == [Self.oktaPage2])
        #expect(clock.sleeps == [3])
    }

    @Test func oktaAnAPITokenRefusedIsBadCredentialsWithoutARetry() throws {
        transport.expect(.get(Self.oktaLogs), .json(#"{"errorCode":"E0000011","errorSummary":"Invalid token provided"}"#, status: 401))
        let (_, error) = Paging.failure(try connector("okta", credentials: Self.oktaToken, settings: Self.oktaSettings))
        #expect(error?.kind == .badCredentials && error?.message.contains("Invalid token provided") == true)
        #expect(transport.requests.count == 1)
    }

    static var oktaServiceApp: String {
        let pem = JWTAssertionSignerTests.pem.replacingOccurrences(of: "\n", with: "\\n")
        return #"{"client_id":"0oa1b2c3d4e5f6g7h8i9","private_key_pem":"\#(pem)"}"#
    }

    @Test func oktaServiceAppRefreshesItsTokenOnceOnA401() throws {
        let expired = ScriptedReply.json(#"{"errorCode":"invalid_token","errorSummary":"The token is expired."}"#, status: 401)
        transport.expect(.post("https://acme.okta.com/oauth2/v1/token", bodyContains: "client_assertion_type="), .token("o1"))
        transport.expect(.get(Self.oktaLogs), expired)
        transport.expect(.post("https://acme.okta.com/oauth2/v1/token"), .token("o2"))
        transport.expect(.get(Self.oktaLogs), try .page("okta-logs-2"))
        #expect(try Paging.read(try connector("okta", credentials: Self.oktaServiceApp, settings: Self.oktaSettings)) == [Self.oktaPage2])
        #expect(transport.requests.last?.header("Authorization") == "Bearer o2")

        let again = ScriptedTransport()
        again.expect(.post("https://acme.okta.com/oauth2/v1/token"), .token("o3"))
        again.expect(.get(Self.oktaLogs), expired)
        again.expect(.post("https://acme.okta.com/oauth2/v1/token"), .token("o4"))
        again.expect(.get(Self.oktaLogs), expired)
        let declaration = try ConnectorEngineTests.declaration("okta")
        let refusing = try ConnectorProvider(context: context(Platform(defining: "Okta"), credentials: Self.oktaServiceApp,
                                                              settings: Self.oktaSettings, transport: again, clock: clock, sourceID: "other"),
                                             declaration: declaration)
        #expect(Paging.failure(refusing).error?.kind == .badCredentials)
        #expect(again.remaining == 0)
    }

    @Test func oktaServerErrorsGiveUpAfterMaxAttempts() throws {
        let policy = RetryPolicy(maxAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 4)
        transport.expect(.get(Self.oktaLogs), .status(502), times: 3)
        let (_, error) = Paging.failure(try connector("okta", credentials: Self.oktaToken, settings: Self.oktaSettings, retry: policy))
        #expect(error?.kind == .serverError && transport.remaining == 0)
        #expect(clock.sleeps.count == 2 && clock.sleeps[0] <= 1 && clock.sleeps[1] <= 2)
    }

    @Test func oktaNoRequestStartsAfterTheDeadline() throws {
        let okta = try connector("okta", credentials: Self.oktaToken, settings: Self.oktaSettings, deadline: clock.now - 1)
        #expect(Paging.failure(okta).error?.kind == .deadline)
        #expect(transport.requests.isEmpty)
    }

    // MARK: Slack: a next token in the body

    static let slackLogs = "https://api.slack.com/audit/v1/logs"
    static let slackToken = #"{"token":"xoxp-1234567890-0987654321-abcdefABCDEF"}"#

    @Test func slackFollowsItsCursorToTheEnd() throws {
        transport.expect(.get(Self.slackLogs, query: [("oldest", "1772366400"), ("latest", "1772370000"), ("limit", "1000")]), try .page("slack-logs-1"))
        transport.expect(.get(Self.slackLogs, query: [("cursor", "ZXZlbnRfaWQ6MTIzNGI1NmMtN2Q4ZQ==")]), try .page("slack-logs-2"))
        let pages = try Paging.read(try connector("slack", credentials: Self.slackToken))
        #expect(pages == [["0123a45b-6c7d-8e9f-a0b1-c2d3e4f5a6b7", "1234b56c-7d8e-9f0a-b1c2-d3e4f5a6b7c8"], ["2345c67d-8e9f-0a1b-c2d3-e4f5a6b7c8d9"]])
        #expect(transport.requests[1].queryItem("oldest") == "1772366400")
    }

    @Test func slackARepeatedCursorStops() throws {
        transport.expect(.get(Self.slackLogs), try .page("slack-logs-1"))
        transport.expect(.get(Self.slackLogs), try .page("slack-logs-1"))
        let (pages, error) = Paging.failure(try connector("slack", credentials: Self.slackToken))
        #expect(pages.count == 2 && error?.kind == .malformedResponse)
    }

    @Test func slackAnEmptyPageWithACursorIsFollowed() throws {
        transport.expect(.get(Self.slackLogs), .json(#"{"ok":true,"entries":[],"response_metadata":{"next_cursor":"c2tpcHBlZA=="}}"#))
        transport.expect(.get(Self.slackLogs, query: [("cursor", "c2tpcHBlZA==")]), try .page("slack-logs-2"))
        #expect(try Paging.read(try connector("slack", credentials: Self.slackToken)) == [[], ["2345c67d-8e9f-0a1b-c2d3-e4f5a6b7c8d9"]])
    }

    @Test func slackRateLimitedInTheBodyWaitsForRetryAfter() throws {
        // Slack may answer 200 with ok:false; the declaration calls "ratelimited" throttled.
        transport.expect(.get(Self.slackLogs), .json(#"{"ok":false,"error":"ratelimited"}"#, headers: [("Retry-After", "9")]))
        transport.expect(.get(Self.slackLogs), try .page("slack-logs-2"))
        #expect(try Paging.read(try connector("slack", credentials: Self.slackToken)) == [["2345c67d-8e9f-0a1b-c2d3-e4f5a6b7c8d9"]])
        #expect(clock.sleeps == [9])
    }

    @Test func aDeclaredThrottleLongerThanThePolicyWaitsEndsThePoll() throws {
        // Like a 429 in ProviderHTTP: a Retry-After past the policy's longest wait is not waited for in this run.
        transport.expect(.get(Self.slackLogs), .json(#"{"ok":false,"error":"ratelimited"}"#, headers: [("Retry-After", "600")]))
        let (_, error) = Paging.failure(try connector("slack", credentials: Self.slackToken, retry: RetryPolicy(maxRetryAfterSeconds: 120)))
        #expect(error?.kind == .throttled && error?.message.contains("ratelimited") == true)
        #expect(clock.sleeps.isEmpty && transport.requests.count == 1)
    }

    // MARK: Salesforce: the next page's URL in the body

    static var salesforceKey: String {
        let pem = JWTAssertionSignerTests.pem.replacingOccurrences(of: "\n", with: "\\n")
        return #"{"consumer_key":"3MVG9A2kN3Bn17hsWsLDatw","username":"siem@acme.example","private_key_pem":"\#(pem)"}"#
    }

    @Test func salesforceFollowsNextRecordsUrlOnItsOwnHost() throws {
        transport.expect(.post("https://login.salesforce.com/services/oauth2/token", bodyContains: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
                         .json(#"{"access_token":"00Dxx0000001gPL!AR8AQJXg","instance_url":"https://acme.my.salesforce.com","token_type":"Bearer"}"#))
        transport.expect(.get("https://acme.my.salesforce.com/services/data/v60.0/query"), try .page("salesforce-setupAuditTrail-1"))
        transport.expect(.get("https://acme.my.salesforce.com/services/data/v60.0/query/0r8xx3VzBPcaQ2dAAE-2000"), try .page("salesforce-setupAuditTrail-2"))
        let salesforce = try connector("salesforce", credentials: Self.salesforceKey,
                                       settings: #"{"salesforce_instance_url":"https://acme.my.salesforce.com","streams":["setup_audit_trail"]}"#)
        #expect(try Paging.read(salesforce) == [["0Ymxx000000AbCDEFG", "0Ymxx000000AbCDEFH"], ["0Ymxx000000AbCDEFI"]])
        #expect(transport.requests[1].queryItem("q")?.contains("CreatedDate >= 2026-03-01T12:00:00Z") == true)
        #expect(transport.requests.dropFirst().allSatisfy { $0.header("Authorization") == "Bearer 00Dxx0000001gPL!AR8AQJXg" })
    }

    // MARK: Offset paging (a declaration of its own: none of the shipped connectors pages by offset)

    static let offsetDeclaration = #"""
    {"description": "A made-up API paged by offset.", "platform": "OffsetCo", "label": "OffsetCo", "overlap_floor_minutes": 1,
     "settings": [{"name": "api_url", "type": "url", "label": "API", "default": "https://api.offset.example.test", "hosts": ["*.example.test"]}],
     "credentials": {"fields": [{"name": "key", "label": "Key", "kind": "secret", "min_length": 4, "max_length": 64}]},
     "auth": [{"kind": "static_header", "header": "X-Api-Key", "value": "{credentials.key}"}],
     "streams": [{"name": "events", "label": "Events", "log_type": "offset_event", "default_overlap_minutes": 5,
                  "order": "oldest_first", "max_page_size": 2,
                  "request": {"url": "{settings.api_url}/v1/events", "time_format": "rfc3339",
                              "query": {"from": "{window.start}", "to": "{window.end}", "limit": "{page_size}"}},
                  "paging": {"kind": "offset", "parameter": "offset"},
                  "records": "items", "id": "id", "time": {"path": "at", "format": "rfc3339"},
                  "mapping": {"activity": "kind"}}]}
    """#

    static func offsetPage(_ ids: [String]) -> ScriptedReply {
        .json(#"{"items":[\#(ids.map { #"{"id":"\#($0)","at":"2026-03-01T12:30:00Z","kind":"k"}"# }.joined(separator: ","))]}"#)
    }

    @Test func offsetPagingEndsOnAShortPage() throws {
        let declaration = try ConnectorDeclaration.parse(try JSONValue.parse(Array(Self.offsetDeclaration.utf8)))
        let events = "https://api.offset.example.test/v1/events"
        transport.expect(.get(events, query: [("limit", "2")]), Self.offsetPage(["a", "b"]))
        transport.expect(.get(events, query: [("offset", "2")]), Self.offsetPage(["c", "d"]))
        transport.expect(.get(events, query: [("offset", "4")]), Self.offsetPage(["e"]))
        let offset = try connector(declaration, credentials: #"{"key":"k-123456"}"#)
        #expect(try Paging.read(offset) == [["a", "b"], ["c", "d"], ["e"]])
        #expect(transport.requests[0].queryItem("offset") == nil)
        #expect(transport.requests.allSatisfy { $0.header("X-Api-Key") == "k-123456" })
    }

    @Test func anOffsetAPIThatIgnoresTheOffsetStopsInsteadOfLooping() throws {
        // The API answers every offset with the same full page: without a check the read would go on
        // until the run's deadline, every run, and the stream would never move.
        let declaration = try ConnectorDeclaration.parse(try JSONValue.parse(Array(Self.offsetDeclaration.utf8)))
        transport.expect(.get("https://api.offset.example.test/v1/events"), Self.offsetPage(["a", "b"]), times: 2)
        let (pages, error) = Paging.failure(try connector(declaration, credentials: #"{"key":"k-123456"}"#))
        #expect(pages == [["a", "b"], ["a", "b"]])
        #expect(error?.kind == .malformedResponse)
        #expect(transport.remaining == 0 && transport.requests.count == 2)
    }
}

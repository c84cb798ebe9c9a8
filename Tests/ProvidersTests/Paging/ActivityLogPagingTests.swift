import Catalog
import Testing
import TestSupport
@testable import Providers

/// The Azure activity log through Azure Resource Manager: ARM's `nextLink` (no `@odata.`),
/// its own token resource and its own budget, one stream per subscription.
@Suite struct ActivityLogPagingTests {
    static let settings = #"{"streams":["activity_log"],"subscription_ids":[" 3F2504E0-4F89-41D3-9A0C-0305E82C3301 "]}"#
    static let values = "https://management.azure.com/subscriptions/3f2504e0-4f89-41d3-9a0c-0305e82c3301/providers/Microsoft.Insights/eventtypes/management/values"

    let transport = ScriptedTransport()
    let clock = FakeClock()

    func provider(deadline: Double = .infinity) throws -> AzureADProvider {
        try AzureADProvider(context: context(.azureAD, credentials: GraphPagingTests.credentials, settings: Self.settings,
                                             transport: transport, clock: clock, deadline: deadline))
    }

    @Test func armsNextLinkIsFollowedWithAnARMToken() throws {
        transport.expect(.post(GraphPagingTests.tokenURL, bodyContains: "scope=https%3A%2F%2Fmanagement.azure.com%2F.default"), .token("arm-1"))
        transport.expect(.get(Self.values, query: [("api-version", "2015-04-01")]), try .page("arm-activityLog-1"))
        transport.expect(.get(Self.values, query: [("$skipToken", "DAB3AAA")]), try .page("arm-activityLog-2"))
        let provider = try provider()
        #expect(provider.streams.map(\.name) == ["activity_log:3f2504e0-4f89-41d3-9a0c-0305e82c3301"])
        #expect(try Paging.read(provider) == [["1e2d3c4b-5a69-4877-8695-a4b3c2d1e0f1"], ["2f3e4d5c-6b7a-4988-9706-b5c4d3e2f102"]])
        let first = transport.requests[1]
        #expect(first.queryItem("$filter") == "eventTimestamp ge '2026-03-01T12:00:00.000000Z' and eventTimestamp le '2026-03-01T13:00:00.000000Z'")
        #expect(first.queryItem("$top") == nil)
        #expect(transport.requests.dropFirst().allSatisfy { $0.header("Authorization") == "Bearer arm-1" })
        #expect(transport.remaining == 0)
    }

    @Test func aRepeatedARMNextLinkStops() throws {
        transport.expect(.post(GraphPagingTests.tokenURL), .token("arm-1"))
        transport.expect(.get(Self.values), try .page("arm-activityLog-1"))
        transport.expect(.get(Self.values, query: [("$skipToken", "DAB3AAA")]), try .page("arm-activityLog-1"))
        let (pages, error) = Paging.failure(try provider())
        #expect(pages.count == 2 && error?.kind == .malformedResponse)
    }

    @Test func a401OnARMRefreshesOnce() throws {
        transport.expect(.post(GraphPagingTests.tokenURL), .token("arm-1"))
        transport.expect(.get(Self.values), .json(#"{"error":{"code":"ExpiredAuthenticationToken","message":"The access token expiry UTC time is earlier than current UTC time."}}"#, status: 401))
        transport.expect(.post(GraphPagingTests.tokenURL), .token("arm-2"))
        transport.expect(.get(Self.values), try .page("arm-activityLog-2"))
        #expect(try Paging.read(try provider()) == [["2f3e4d5c-6b7a-4988-9706-b5c4d3e2f102"]])
        #expect(transport.requests.last?.header("Authorization") == "Bearer arm-2")
    }
}

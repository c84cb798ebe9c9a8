import Catalog
import Testing
import TestSupport
@testable import Providers

/// A probe reads one page of each stream: it must not fetch a second one it will not use
/// (a wasted request of the tenant's budget, and a slower answer to the admin page).
@Suite struct SourceProbeTests {
    @Test func aProbeRequestsOnlyTheFirstPage() throws {
        let transport = ScriptedTransport()
        transport.expect(.post(GraphPagingTests.tokenURL), .token("t1"))
        transport.expect(GraphPages.request(after: nil), GraphPages.directoryAudits([("a", "2026-03-01T12:10:00Z")], next: "p2"))
        let provider = try Microsoft365Provider(context: context(
            .microsoft365, credentials: GraphPagingTests.credentials, settings: #"{"streams":["directory_audits"]}"#,
            transport: transport))
        let results = SourceProbe.firstPages(of: provider, window: Paging.window)
        #expect(results.map(\.status) == ["ok"] && results.map(\.sampleEvents) == [1])
        #expect(transport.requests.count == 2)
    }
}

import Testing
import Catalog
@testable import Providers

/// The providers read their streams and streams from the catalog; where a value still lives in
/// a provider, it must be the catalog's.
@Suite struct CatalogAgreementTests {
    @Test func providerStreamsAreTheCatalogs() {
        #expect(Microsoft365Provider.collections.map(\.stream.name) == Microsoft365Catalog.definition.streams.map(\.name))
        #expect([AzureADProvider.riskDetections.stream.name, AzureADProvider.provisioning.stream.name, AzureADProvider.activityLogName]
            == AzureADCatalog.definition.streams.map(\.name))
        #expect(AzureADProvider.activityLog(subscription: "s1").stream.name == "activity_log:s1")
        #expect(GCPProvider.cloudAudit.name == GCPCatalog.cloudAudit.name)
        #expect(AWSCloudTrailProvider.cloudTrail.name == AWSCatalog.cloudTrail.name)
    }

    @Test func microsoftCloudsAreTheCatalogs() {
        for profile in MicrosoftClouds.profiles {
            #expect(MicrosoftCloud.profile(named: profile.name)?.graphEndpoint == profile.url("graph_endpoint"))
        }
    }
}

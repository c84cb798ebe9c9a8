import Testing
import SourceModel

/// The endpoint settings the host policy checks are the platform's URL settings in the catalog.
@Suite struct ProviderHostPolicyFieldsTests {
    @Test(arguments: [
        (Platform.microsoft365, ["authority_host", "graph_endpoint"]),
        (.azureAD, ["authority_host", "graph_endpoint", "management_endpoint"]),
        (.gcp, ["logging_endpoint"]),
        (.aws, ["endpoint_url"]),
    ])
    func settingFields(platform: Platform, fields: [String]) {
        #expect(ProviderHostPolicy.settingFields(of: platform) == fields)
    }
}

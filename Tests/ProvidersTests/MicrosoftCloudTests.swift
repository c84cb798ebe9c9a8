import Testing
@testable import Providers

@Suite struct MicrosoftCloudTests {
    @Test(arguments: [
        (String?.none, "https://login.microsoftonline.com", "https://graph.microsoft.com", "https://management.azure.com"),
        ("global", "https://login.microsoftonline.com", "https://graph.microsoft.com", "https://management.azure.com"),
        ("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us", "https://management.usgovcloudapi.net"),
        ("dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us", "https://management.usgovcloudapi.net"),
        ("china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn", "https://management.chinacloudapi.cn"),
    ])
    func profiles(name: String?, authority: String, graph: String, management: String) throws {
        let cloud = try #require(MicrosoftCloud.profile(named: name))
        #expect(cloud == MicrosoftCloud(authorityHost: authority, graphEndpoint: graph, managementEndpoint: management))
    }

    // Only the documented spellings: a near miss must not silently mean "global".
    @Test(arguments: ["", "Global", "USGov", "gcc-high", "germany", "global "])
    func unknownCloudIsNil(name: String) {
        #expect(MicrosoftCloud.profile(named: name) == nil)
        #expect(MicrosoftCloud.resolve(cloud: name, authorityHost: nil, graphEndpoint: nil, managementEndpoint: nil) == nil)
    }

    @Test func noOverridesIsTheProfile() {
        #expect(MicrosoftCloud.resolve(cloud: "china", authorityHost: nil, graphEndpoint: nil, managementEndpoint: nil) == .china)
        #expect(MicrosoftCloud.resolve(cloud: nil, authorityHost: nil, graphEndpoint: nil, managementEndpoint: nil) == .global)
    }

    @Test func overridesReplaceSingleHostsWithoutTrailingSlashes() throws {
        let cloud = try #require(MicrosoftCloud.resolve(
            cloud: "usgov", authorityHost: "https://login.proxy.internal/", graphEndpoint: "https://graph.proxy.internal:8443/base//",
            managementEndpoint: nil))
        #expect(cloud.authorityHost == "https://login.proxy.internal")
        #expect(cloud.graphEndpoint == "https://graph.proxy.internal:8443/base")
        #expect(cloud.managementEndpoint == "https://management.usgovcloudapi.net")
    }

    @Test func managementOverrideAlone() throws {
        let cloud = try #require(MicrosoftCloud.resolve(cloud: nil, authorityHost: nil, graphEndpoint: nil,
                                                        managementEndpoint: "https://arm.example/"))
        #expect(cloud == MicrosoftCloud(authorityHost: MicrosoftCloud.global.authorityHost,
                                        graphEndpoint: MicrosoftCloud.global.graphEndpoint, managementEndpoint: "https://arm.example"))
    }
}

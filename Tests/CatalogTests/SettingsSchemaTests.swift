import Testing
import Catalog

@Suite struct SettingsSchemaTests {
    @Test(arguments: [
        (Platform.microsoft365, ["directory_audits", "sign_ins"]),
        (.azureAD, ["risk_detections", "provisioning", "activity_log"]),
        (.gcp, ["cloud_audit"]),
        (.aws, ["cloudtrail"]),
    ])
    func streamsPerPlatform(platform: Platform, streams: [String]) {
        #expect(SettingsSchema.streams(for: platform) == streams)
    }

    // The stream name is the checkpoint key: one name must not mean two streams.
    @Test func streamNamesAreUniqueAcrossPlatforms() {
        let all = Platform.allCases.flatMap(SettingsSchema.streams(for:))
        #expect(Set(all).count == all.count)
    }

    @Test func everySpecAppliesToSomePlatform() {
        for spec in SettingsSchema.specs {
            #expect(!spec.platforms.isEmpty, "\(spec.name)")
            #expect(!spec.help.isEmpty, "\(spec.name)")
        }
    }

    @Test func specNamesAreUnique() {
        let names = SettingsSchema.specs.map(\.name)
        #expect(Set(names).count == names.count)
    }

    @Test func streamsSettingOffersEveryStream() throws {
        let spec = try #require(SettingsSchema.spec(named: "streams"))
        #expect(spec.kind == .subsetOf(Platform.allCases.flatMap(SettingsSchema.streams(for:))))
        #expect(spec.platforms == Set(Platform.allCases))
    }

    @Test(arguments: [
        ("cloud", [Platform.microsoft365, .azureAD]),
        ("graph_endpoint", [.microsoft365, .azureAD]),
        ("management_endpoint", [.azureAD]),
        ("subscription_ids", [.azureAD]),
        ("resource_names", [.gcp]),
        ("filter", [.gcp]),
        ("endpoint_url", [.aws]),
        ("page_size", Platform.allCases),
    ] as [(String, [Platform])])
    func settingsBelongToTheirPlatforms(name: String, platforms: [Platform]) throws {
        #expect(try #require(SettingsSchema.spec(named: name)).platforms == Set(platforms))
    }

    @Test func lookupOfAnUnknownSettingIsNil() {
        #expect(SettingsSchema.spec(named: "Page_Size") == nil)
        #expect(SettingsSchema.spec(named: "") == nil)
    }

    @Test func integerRangesAreSane() {
        for spec in SettingsSchema.specs {
            if case .integer(let range) = spec.kind { #expect(range.lowerBound >= 0, "\(spec.name)") }
        }
        #expect(SettingsSchema.spec(named: "page_size")?.kind == .integer(1...1_000))
    }
}

@Suite struct PlatformTests {
    @Test(arguments: [("Microsoft365", Platform.microsoft365), ("AzureAD", .azureAD), ("GCP", .gcp), ("AWS", .aws)])
    func canonicalNames(name: String, platform: Platform) {
        #expect(Platform(name: name) == platform)
    }

    @Test(arguments: ["microsoft365", "azuread", "gcp", "aws", "Microsoft 365", ""])
    func nearMissesAreRejected(name: String) {
        #expect(Platform(name: name) == nil)
    }

    @Test func allNamesListsEveryPlatform() {
        // The built-in platforms, then those declared in connectors/ (in file-name order).
        let declared = ConnectorDeclarationTests.files.compactMap { name in
            try? ConnectorCatalog.loadFile("\(ConnectorDeclarationTests.connectors)/\(name)").platform
        }
        #expect(Platform.allNames == (["Microsoft365", "AzureAD", "GCP", "AWS"] + declared).joined(separator: ", "))
    }
}

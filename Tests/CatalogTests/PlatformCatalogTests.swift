import Testing
import Catalog
import JSONBytes
import UTCTime

@Suite struct PlatformCatalogTests {
    @Test func everyPlatformIsRegisteredOnce() {
        let registered = PlatformCatalog.all.map(\.platform)
        #expect(registered.count == Set(registered).count)
        #expect(Set(registered) == Set(Platform.allCases))
        for platform in Platform.allCases {
            #expect(PlatformCatalog.definition(of: platform).platform == platform)
        }
    }

    @Test func everyPlatformHasALabelStreamsAndCredentialFields() {
        for definition in PlatformCatalog.all {
            #expect(!definition.label.isEmpty)
            #expect(!definition.streams.isEmpty, "\(definition.platform)")
            #expect(!definition.credentials.fields.isEmpty, "\(definition.platform)")
            #expect(definition.overlapFloorMinutes >= 1)
        }
    }

    @Test(arguments: [
        (Platform.microsoft365, "directory_audits", "directory_audits"),
        (.azureAD, "activity_log", "activity_log:<subscription>"),
        (.azureAD, "risk_detections", "risk_detections"),
        (.gcp, "cloud_audit", "cloud_audit"),
        (.aws, "cloudtrail", "cloudtrail"),
    ])
    func keyForms(platform: Platform, stream: String, form: String) throws {
        let found = try #require(PlatformCatalog.definition(of: platform).streams.first { $0.name == stream })
        #expect(found.keyForm == form)
    }

    // A per-item stream's list setting must exist on its platform, or no key could ever be formed.
    @Test func perItemStreamsNameAListSettingOfTheirPlatform() throws {
        for definition in PlatformCatalog.all {
            for stream in definition.streams {
                guard let perItem = stream.perItem else { continue }
                let spec = try #require(definition.settings.first { $0.name == perItem.setting })
                guard case .textList = spec.kind else {
                    Issue.record("\(perItem.setting) is not a list")
                    continue
                }
            }
        }
    }

    @Test func streamKeysFollowTheKeyForm() throws {
        let settings = try JSONValue.parse(Array(#"{"streams": ["activity_log", "provisioning"], "subscription_ids": ["a", "b"]}"#.utf8))
        #expect(SettingsSchema.streamKeys(for: .azureAD, settings: settings) == ["provisioning", "activity_log:a", "activity_log:b"])
        #expect(SettingsSchema.streamKeys(for: .azureAD, settings: .object([])) == ["risk_detections", "provisioning"])
    }

    @Test(arguments: [(Platform.microsoft365, 2), (.azureAD, 2), (.gcp, 1), (.aws, 5)])
    func overlapFloors(platform: Platform, minutes: Int) {
        #expect(SettingsSchema.overlapFloorMinutes(for: platform) == minutes)
    }

    @Test func defaults() {
        #expect(SettingsSchema.initialLookbackMinutes == 1440)
        #expect(SettingsSchema.defaultInt("dedup_max_ids") == 50_000)
        #expect(SettingsSchema.spec(named: "cloud")?.defaultValue == .string("global"))
        #expect(SettingsSchema.spec(named: "page_size")?.defaultValue == nil)
    }

    // A default the API would refuse would be a lie in every form that shows it.
    @Test func everyDefaultIsAValidValueOfItsSetting() {
        for spec in SettingsSchema.specs {
            guard let value = spec.defaultValue else { continue }
            switch spec.kind {
            case .integer(let range): #expect(value.intValue.map(range.contains) == true, "\(spec.name)")
            case .oneOf(let options): #expect(value.stringValue.map(options.contains) == true, "\(spec.name)")
            case .httpsURL: #expect(value.stringValue.map(TextRules.isHTTPSURL) == true, "\(spec.name)")
            case .text(let maxLength): #expect((value.stringValue?.count ?? .max) <= maxLength, "\(spec.name)")
            default: Issue.record("\(spec.name): no default expected for its kind")
            }
        }
    }

    @Test func everySettingHasALabelAndCloudOptionsAreLabelled() throws {
        for spec in SettingsSchema.specs { #expect(!spec.label.isEmpty, "\(spec.name)") }
        let cloud = try #require(SettingsSchema.spec(named: "cloud"))
        #expect(cloud.kind == .oneOf(MicrosoftClouds.profiles.map(\.name)))
        #expect(Set(cloud.optionLabels.keys) == Set(MicrosoftClouds.profiles.map(\.name)))
    }

    @Test func microsoftCloudsNameEveryHost() {
        for profile in MicrosoftClouds.profiles {
            for setting in ["authority_host", "graph_endpoint", "management_endpoint"] {
                #expect(profile.url(setting).map(TextRules.isHTTPSURL) == true, "\(profile.name) \(setting)")
            }
        }
        #expect(MicrosoftClouds.profile(named: nil)?.name == "global")
        #expect(MicrosoftClouds.profile(named: "Global") == nil)
    }
}

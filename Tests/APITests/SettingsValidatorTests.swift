import Testing
import HTTPRouting
import JSONBytes
import SourceModel
@testable import API

@Suite struct SettingsValidatorTests {
    @Test(arguments: [
        (Platform.microsoft365, #"{}"#, [String]()),
        (.microsoft365, #"{"cloud":"usgov","page_size":1000,"streams":["directory_audits","sign_ins"]}"#, []),
        (.microsoft365, #"{"initial_lookback_minutes":43200,"overlap_minutes":2,"dedup_max_ids":1000}"#, []),
        (.aws, #"{"overlap_minutes":5,"dedup_max_ids":1000000}"#, []),
        // No overlap would lose late events; each platform has a floor.
        (.microsoft365, #"{"overlap_minutes":0}"#, ["settings.overlap_minutes"]),
        (.microsoft365, #"{"overlap_minutes":1}"#, ["settings.overlap_minutes"]),
        (.aws, #"{"overlap_minutes":4}"#, ["settings.overlap_minutes"]),
        (.gcp, #"{"dedup_max_ids":999}"#, ["settings.dedup_max_ids"]),
        (.microsoft365, #"{"graph_endpoint":"https://graph.proxy.internal:8443/","authority_host":"https://login.proxy.internal"}"#, []),
        (.azureAD, #"{"subscription_ids":["a","b"],"management_endpoint":"https://management.azure.com","streams":["activity_log"]}"#, []),
        (.gcp, #"{"filter":"severity>=WARNING","resource_names":["projects/p1","folders/123"],"logging_endpoint":"https://logging.googleapis.com"}"#, []),
        (.aws, #"{"endpoint_url":"https://cloudtrail-fips.us-east-1.amazonaws.com","streams":["cloudtrail"]}"#, []),
        // Wrong values.
        (.microsoft365, #"{"cloud":"mars"}"#, ["settings.cloud"]),
        (.microsoft365, #"{"page_size":0}"#, ["settings.page_size"]),
        (.microsoft365, #"{"page_size":1001}"#, ["settings.page_size"]),
        (.microsoft365, #"{"page_size":"100"}"#, ["settings.page_size"]),
        (.microsoft365, #"{"page_size":10.5}"#, ["settings.page_size"]),
        (.microsoft365, #"{"initial_lookback_minutes":43201}"#, ["settings.initial_lookback_minutes"]),
        (.microsoft365, #"{"overlap_minutes":-1}"#, ["settings.overlap_minutes"]),
        (.microsoft365, #"{"streams":["cloudtrail"]}"#, ["settings.streams"]),
        (.microsoft365, #"{"streams":[]}"#, ["settings.streams"]),
        (.microsoft365, #"{"streams":"sign_ins"}"#, ["settings.streams"]),
        (.microsoft365, #"{"graph_endpoint":"http://graph.microsoft.com"}"#, ["settings.graph_endpoint"]),
        (.azureAD, #"{"subscription_ids":[""]}"#, ["settings.subscription_ids"]),
        (.azureAD, #"{"subscription_ids":[1]}"#, ["settings.subscription_ids"]),
        (.gcp, #"{"filter":"a\nb"}"#, ["settings.filter"]),
        // Settings of another platform, or unknown, are named, not ignored.
        (.microsoft365, #"{"management_endpoint":"https://management.azure.com"}"#, ["settings.management_endpoint"]),
        (.aws, #"{"cloud":"global"}"#, ["settings.cloud"]),
        (.gcp, #"{"pageSize":10,"filter":"ok"}"#, ["settings.pageSize"]),
        (.aws, #"{"page_size":0,"region":"eu-west-1"}"#, ["settings.page_size", "settings.region"]),
    ])
    func validates(platform: Platform, settings: String, fields: [String]) throws {
        var errors = FieldErrors()
        SettingsValidator.validate(try JSONValue.parse(Array(settings.utf8)), platform: platform, into: &errors)
        #expect(errors.errors.map(\.field) == fields)
    }

    @Test func tooManyListItems() {
        var errors = FieldErrors()
        let ids = JSONValue.array((0...100).map { .string("sub-\($0)") })
        SettingsValidator.validate(.object([("subscription_ids", ids)]), platform: .azureAD, into: &errors)
        #expect(errors.errors == [.init(field: "settings.subscription_ids", message: "must be a list of at most 100 non-empty strings")])
    }

    @Test(arguments: [JSONValue.array([]), .string("{}"), .null])
    func settingsMustBeAnObject(value: JSONValue) {
        var errors = FieldErrors()
        SettingsValidator.validate(value, platform: .gcp, into: &errors)
        #expect(errors.errors.map(\.field) == ["settings"])
    }

    // The message lists what this platform offers, not every platform's streams.
    @Test func streamMessageListsThePlatformsStreams() {
        var errors = FieldErrors()
        SettingsValidator.validate(.object([("streams", .array([.string("x")]))]), platform: .microsoft365, into: &errors)
        #expect(errors.errors.first?.message == "must be a non-empty list drawn from directory_audits, sign_ins")
    }
}

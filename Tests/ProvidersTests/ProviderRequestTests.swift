import JSONBytes
import Testing
import UTCTime
@testable import Providers

/// How the AzureAD and GCP providers write a window into their requests, and how
/// they read their settings: pure functions, no network.
@Suite struct ProviderRequestTests {
    static let window = TimeWindow(start: UTCTimestamp(rfc3339: "2026-11-20T10:00:00Z")!,
                                   end: UTCTimestamp(rfc3339: "2026-11-20T11:00:00.250000Z")!)

    @Test func graphFiltersUseTheOperatorsEachAPIDocuments() {
        #expect(GraphTimeFilter.inclusive.expression("activityDateTime", Self.window)
                == "activityDateTime ge 2026-11-20T10:00:00Z and activityDateTime le 2026-11-20T11:00:00Z")
        // gt/lt only (provisioning): one 100 ns tick outside each bound keeps the window inclusive.
        #expect(GraphTimeFilter.exclusive.expression("activityDateTime", Self.window)
                == "activityDateTime gt 2026-11-20T09:59:59.9999999Z and activityDateTime lt 2026-11-20T11:00:00.2500001Z")
        #expect(GraphTimeFilter.quoted.expression("eventTimestamp", Self.window)
                == "eventTimestamp ge '2026-11-20T10:00:00.000000Z' and eventTimestamp le '2026-11-20T11:00:00.250000Z'")
    }

    @Test func cloudLoggingFilterParenthesizesTheSourceFilter() {
        #expect(CloudLoggingReader.windowFilter(Self.window, #"logName:"cloudaudit.googleapis.com" OR severity>=ERROR"#)
                == #"timestamp >= "2026-11-20T10:00:00Z" AND timestamp <= "2026-11-20T11:00:00.250000Z" AND (logName:"cloudaudit.googleapis.com" OR severity>=ERROR)"#)
        #expect(CloudLoggingReader.windowFilter(Self.window, "  ")
                == #"timestamp >= "2026-11-20T10:00:00Z" AND timestamp <= "2026-11-20T11:00:00.250000Z""#)
    }

    @Test func subscriptionsAreNormalizedAndDeduplicated() throws {
        let settings = try JSONValue.parse(Array(#"{"subscription_ids":["AAAA-1", " aaaa-1 ", "bbbb-2"]}"#.utf8))
        #expect(try AzureADProvider.subscriptions(settings) == ["aaaa-1", "bbbb-2"])
        #expect(try AzureADProvider.subscriptions(.object([])) == [])
        let bad = try JSONValue.parse(Array(#"{"subscription_ids":["../other"]}"#.utf8))
        #expect(throws: ProviderError.self) { try AzureADProvider.subscriptions(bad) }
    }

    @Test func eachSubscriptionIsItsOwnStreamWithItsOwnPath() {
        let collection = AzureADProvider.activityLog(subscription: "aaaa-1")
        #expect(collection.stream.name == "activity_log:aaaa-1")
        #expect(collection.stream.logType == "activity_log")
        #expect(collection.path == "/subscriptions/aaaa-1/providers/Microsoft.Insights/eventtypes/management/values")
        #expect(collection.maxPageSize == nil)
        #expect(collection.extraQuery.map(\.0) == ["api-version"])
    }

    @Test func resourceNamesDefaultToTheKeysProject() throws {
        #expect(try GCPProvider.resourceNames(.object([]), projectID: "p1") == ["projects/p1"])
        let settings = try JSONValue.parse(Array(#"{"resource_names":["projects/a","projects/b","projects/a"]}"#.utf8))
        #expect(try GCPProvider.resourceNames(settings, projectID: "p1") == ["projects/a", "projects/b"])
    }
}

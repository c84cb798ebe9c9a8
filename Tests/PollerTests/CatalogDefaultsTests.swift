import Catalog
import Foundation
import JSONBytes
import Testing
@testable import Poller

/// Where a default still lives in the poller, it must be the catalog's.
@Suite struct CatalogDefaultsTests {
    @Test func dedupDefaultIsTheCatalogs() {
        #expect(CursorRules.defaultMaxSeen == SettingsSchema.defaultInt("dedup_max_ids"))
    }

    /// A source without `lag_alert_intervals` is judged by the catalog's default, here and in
    /// the database's metrics (sql/012 cannot read the catalog, and an applied migration never
    /// changes: this test keeps its literal the catalog's).
    @Test func lagDefaultIsTheCatalogs() throws {
        let declared = try #require(SettingsSchema.defaultInt("lag_alert_intervals"))
        #expect(HealthBook.lagIntervals(settings: .object([])) == declared)
        #expect(HealthBook.lagIntervals(settings: .object([("lag_alert_intervals", .number("9"))])) == 9)

        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sql = try String(contentsOf: repository.appendingPathComponent("sql/012_stream_health.sql"), encoding: .utf8)
        let rule = "coalesce((s.settings ->> 'lag_alert_intervals')::integer, \(declared))"
        #expect(sql.contains(rule))
        #expect(sql.contains("lag_alert_intervals (default \(declared))"))
    }
}

import Testing
import Catalog
@testable import Poller

/// Where a default still lives in the poller, it must be the catalog's.
@Suite struct CatalogDefaultsTests {
    @Test func dedupDefaultIsTheCatalogs() {
        #expect(CursorRules.defaultMaxSeen == SettingsSchema.defaultInt("dedup_max_ids"))
    }
}

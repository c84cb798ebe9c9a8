import Testing
@testable import API
import SourceModel
import Storage

@Suite struct ListingCacheTests {
    private func key(_ tenant: String = "acme", platform: Platform? = nil, after: String? = nil) -> ListingCache.Key {
        ListingCache.Key(tenantID: tenant, query: SourceListQuery(platform: platform, limit: 50, after: after))
    }

    private func body(_ text: String, size: Int = 0) -> [UInt8] {
        Array(text.utf8) + [UInt8](repeating: 0x20, count: size)
    }

    @Test func servesABodyOnlyAtTheChangeCountItWasRenderedAt() {
        let cache = ListingCache(byteBudget: 1 << 20)
        cache.store(body("v3"), for: key(), changeCount: 3)
        #expect(cache.body(for: key(), changeCount: 3) == body("v3"))
        #expect(cache.body(for: key(), changeCount: 4) == nil)
        // Counts only grow, but a lower one must not match either.
        #expect(cache.body(for: key(), changeCount: 2) == nil)
    }

    @Test func keysSeparateTenantsFiltersAndPages() {
        let cache = ListingCache(byteBudget: 1 << 20)
        cache.store(body("acme"), for: key(), changeCount: 1)
        #expect(cache.body(for: key("globex"), changeCount: 1) == nil)
        #expect(cache.body(for: key(platform: .aws), changeCount: 1) == nil)
        #expect(cache.body(for: key(after: "source-9"), changeCount: 1) == nil)
        var enabledOnly = key()
        enabledOnly.query.isEnabled = true
        #expect(cache.body(for: enabledOnly, changeCount: 1) == nil)
        var smallerPage = key()
        smallerPage.query.limit = 10
        #expect(cache.body(for: smallerPage, changeCount: 1) == nil)
    }

    @Test func aSlowerWorkerDoesNotReplaceANewerEntry() {
        let cache = ListingCache(byteBudget: 1 << 20)
        cache.store(body("new"), for: key(), changeCount: 8)
        cache.store(body("old"), for: key(), changeCount: 7)
        #expect(cache.body(for: key(), changeCount: 8) == body("new"))
        cache.store(body("newer"), for: key(), changeCount: 9)
        #expect(cache.body(for: key(), changeCount: 9) == body("newer"))
        #expect(cache.usage.entries == 1)
        #expect(cache.usage.bytes == body("newer").count)
    }

    @Test func staysWithinItsBudgetDroppingTheLeastRecentlyUsed() {
        let cache = ListingCache(byteBudget: 10_000)
        for page in 0..<4 { cache.store(body("p\(page)", size: 2_000), for: key(after: "n\(page)"), changeCount: 1) }
        // Page 0 is read again, so page 1 is now the least recently used.
        #expect(cache.body(for: key(after: "n0"), changeCount: 1) != nil)
        cache.store(body("p4", size: 2_000), for: key(after: "n4"), changeCount: 1)
        #expect(cache.usage.bytes <= 10_000)
        #expect(cache.body(for: key(after: "n1"), changeCount: 1) == nil)
        #expect(cache.body(for: key(after: "n0"), changeCount: 1) != nil)
        #expect(cache.body(for: key(after: "n4"), changeCount: 1) != nil)
    }

    @Test func doesNotKeepABodyLargerThanAQuarterOfTheBudget() {
        let cache = ListingCache(byteBudget: 4_000)
        cache.store(body("big", size: 1_200), for: key(), changeCount: 1)
        #expect(cache.body(for: key(), changeCount: 1) == nil)
        #expect(cache.usage.bytes == 0)
    }

    @Test func workersShareItSafely() async {
        let cache = ListingCache(byteBudget: 64 * 1024)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for round in 0..<2_000 {
                        let page = key(after: "n\((worker + round) % 16)")
                        cache.store(body("\(round)", size: 500), for: page, changeCount: round)
                        if let hit = cache.body(for: page, changeCount: round) { #expect(hit.count >= 500) }
                    }
                }
            }
        }
        #expect(cache.usage.bytes <= 64 * 1024)
    }
}

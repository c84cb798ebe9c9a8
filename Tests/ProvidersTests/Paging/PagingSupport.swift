import Providers
import TestSupport
import UTCTime

/// What the paging tests share: the window read, and reading a whole window into pages of ids.
enum Paging {
    static let window = TimeWindow(start: UTCTimestamp(rfc3339: "2026-03-01T12:00:00Z")!,
                                   end: UTCTimestamp(rfc3339: "2026-03-01T13:00:00Z")!)

    /// The ids of each page the provider handed over, in order.
    static func read(_ provider: any CloudProvider, _ stream: StreamSpec? = nil,
                     window: TimeWindow = window) throws(ProviderError) -> [[String]] {
        var pages: [[String]] = []
        try provider.read(stream ?? provider.streams[0], window: window) { page throws(ProviderError) in
            pages.append(page.events.map(\.id))
        }
        return pages
    }

    /// The error a read ends with (nil when it ends well), with the pages read before it.
    static func failure(_ provider: any CloudProvider, _ stream: StreamSpec? = nil) -> (pages: [[String]], error: ProviderError?) {
        var pages: [[String]] = []
        do {
            try provider.read(stream ?? provider.streams[0], window: window) { page throws(ProviderError) in
                pages.append(page.events.map(\.id))
            }
            return (pages, nil)
        } catch {
            return (pages, error)
        }
    }
}

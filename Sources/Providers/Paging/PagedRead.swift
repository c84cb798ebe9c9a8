/// What reading one page yields: its events, and the way to the page after it.
package struct FetchedPage<Cursor> {
    /// Builds the page's events from its validated records. It runs on the thread that
    /// delivers them, so one page's transform overlaps the next page's fetch and validation
    /// (which must come first: the way on is inside the page) instead of adding to them.
    package var page: () -> EventPage
    /// Where the next page is (a URL, a page token); nil after the last page.
    package var next: Cursor?
    /// Why the read cannot go on (a nextLink to another host, a repeated token): raised
    /// only after this page was delivered, so the events already read are not lost.
    package var stop: ProviderError?

    /// A page whose events are built when delivered (see ``page``).
    package init(next: Cursor?, stop: ProviderError? = nil, page: @escaping () -> EventPage) {
        self.page = page
        self.next = next
        self.stop = stop
    }

    /// A page whose events are already built.
    package init(page: EventPage, next: Cursor?, stop: ProviderError? = nil) {
        self.init(next: next, stop: stop) { page }
    }
}

/// The page loop every reader shares, with one page of read-ahead: while page N is
/// transformed and delivered (Kafka, checkpoint), page N+1 is fetched and validated on a
/// thread of its own, so the network wait and the JSON work of one page overlap the
/// delivery of the previous one. At most two pages are in memory; pages reach `sink` in order, and a
/// fetch error surfaces after the pages before it were delivered, as in a sequential read.
package enum PagedRead {
    /// Reads from `first` until a page has no next cursor. `fetch` runs on the calling thread
    /// for the first page and on a read-ahead thread for the rest, never two at once; it may
    /// keep state across pages (page counters, repeated-token memory).
    ///
    /// A page is read ahead only when `readAhead` is on and `wantsNextPage()` says the caller
    /// will take it; otherwise it is fetched after `sink` returned, as before. If `sink`
    /// throws, a read-ahead still in flight is waited for and dropped (its page is read
    /// again by the next run).
    package static func run<Cursor>(
        from first: Cursor,
        readAhead: Bool,
        wantsNextPage: () -> Bool,
        fetch: (Cursor) throws(ProviderError) -> FetchedPage<Cursor>,
        sink: (EventPage) throws(ProviderError) -> Void
    ) throws(ProviderError) {
        typealias Outcome = Result<FetchedPage<Cursor>, ProviderError>
        try withoutActuallyEscaping(fetch) { (fetch) throws(ProviderError) in
            var current = try fetch(first)
            while true {
                // Start the next page before delivering this one; the job is joined before
                // this scope ends (below, or by its deinit when `sink` throws).
                var ahead: ReadAheadJob<Outcome>?
                if readAhead, current.stop == nil, let next = current.next, wantsNextPage() {
                    ahead = ReadAheadJob { () -> Outcome in
                        do throws(ProviderError) { return .success(try fetch(next)) } catch { return .failure(error) }
                    }
                }
                do throws(ProviderError) {
                    try sink(current.page())
                } catch {
                    _ = ahead?.wait()
                    throw error
                }
                if let stop = current.stop { throw stop }
                if let ahead {
                    current = try ahead.wait().get()
                } else if let next = current.next {
                    current = try fetch(next)
                } else {
                    return
                }
            }
        }
    }
}

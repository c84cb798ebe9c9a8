import Foundation
import Synchronization
import Testing
@testable import Providers

/// The page loop every reader shares: pages in order, the next page read ahead while the
/// current one is delivered, errors where a sequential read would raise them, and nothing
/// left running when a read ends early.
@Suite struct PagedReadTests {
    /// What happened, in order, across the caller's and the read-ahead thread.
    final class Journal: Sendable {
        let entries = Mutex<[String]>([])
        let fetching = Atomic<Int>(0)
        let mostAtOnce = Atomic<Int>(0)
        func note(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    static func page(_ number: Int) -> EventPage {
        EventPage(events: [], dropped: number)  // `dropped` carries the page number here
    }

    /// Fetches pages 1...last; page `failing` throws instead.
    static func fetcher(_ journal: Journal, last: Int, failing: Int? = nil, delay: Double = 0)
        -> (Int) throws(ProviderError) -> FetchedPage<Int> {
        { (number) throws(ProviderError) -> FetchedPage<Int> in
            let now = journal.fetching.add(1, ordering: .sequentiallyConsistent).newValue
            _ = journal.mostAtOnce.max(now, ordering: .sequentiallyConsistent)
            defer { journal.fetching.subtract(1, ordering: .sequentiallyConsistent) }
            journal.note("fetch \(number)")
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            if number == failing { throw ProviderError(.serverError, "page \(number) failed") }
            return FetchedPage(page: page(number), next: number < last ? number + 1 : nil)
        }
    }

    /// Reads from page 1 with read-ahead on.
    static func run(readAhead: Bool = true, wantsNextPage: () -> Bool = { true },
                    fetch: (Int) throws(ProviderError) -> FetchedPage<Int>,
                    sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        try PagedRead.run(from: 1, readAhead: readAhead, wantsNextPage: wantsNextPage, fetch: fetch, sink: sink)
    }

    @Test func pagesReachTheSinkInOrderAndOneFetchRunsAtATime() throws {
        let journal = Journal()
        var delivered: [Int] = []
        try Self.run(fetch: Self.fetcher(journal, last: 50)) { page in delivered.append(page.dropped) }
        #expect(delivered == Array(1...50))
        #expect(journal.all.filter { $0.hasPrefix("fetch") } == (1...50).map { "fetch \($0)" })
        let mostAtOnce = journal.mostAtOnce.load(ordering: .sequentiallyConsistent)
        #expect(mostAtOnce == 1)
    }

    @Test func theNextPageIsFetchedWhileThisOneIsDelivered() throws {
        let journal = Journal()
        let secondStarted = DispatchSemaphore(value: 0)
        let fetch = Self.fetcher(journal, last: 2)
        var overlapped = false
        try Self.run(fetch: { (number) throws(ProviderError) -> FetchedPage<Int> in
            if number == 2 { secondStarted.signal() }
            return try fetch(number)
        }) { page in
            // A sequential loop would fetch page 2 only after this returns: the wait would time out.
            if page.dropped == 1 { overlapped = secondStarted.wait(timeout: .now() + 10) == .success }
        }
        #expect(overlapped)
    }

    @Test(arguments: [false, true])
    func withoutReadAheadEachPageIsFetchedAfterTheOneBeforeWasDelivered(readAhead: Bool) throws {
        // Read-ahead off, or on while the caller says it will stop after this page: the
        // next page is not fetched during the delivery, yet still read if the caller goes on.
        let journal = Journal()
        try Self.run(readAhead: readAhead, wantsNextPage: { false }, fetch: Self.fetcher(journal, last: 3)) { page in
            journal.note("deliver \(page.dropped)")
        }
        #expect(journal.all == ["fetch 1", "deliver 1", "fetch 2", "deliver 2", "fetch 3", "deliver 3"])
    }

    @Test func theCallerIsAskedBeforeEachReadAhead() throws {
        let journal = Journal()
        var asked = 0
        try Self.run(wantsNextPage: { asked += 1; return true }, fetch: Self.fetcher(journal, last: 4)) { _ in }
        // Pages 2, 3 and 4 were read ahead; after page 4 there is nothing to ask about.
        #expect(asked == 3)
    }

    @Test func aFetchErrorSurfacesAfterThePagesBeforeItWereDelivered() {
        let journal = Journal()
        var delivered: [Int] = []
        #expect(throws: ProviderError.self) {
            try Self.run(fetch: Self.fetcher(journal, last: 5, failing: 3)) { page in delivered.append(page.dropped) }
        }
        #expect(delivered == [1, 2])
        #expect(journal.all == ["fetch 1", "fetch 2", "fetch 3"])
    }

    @Test func aStopIsRaisedAfterItsPageIsDeliveredAndNothingMoreIsFetched() {
        let journal = Journal()
        var delivered: [Int] = []
        let fetch = Self.fetcher(journal, last: 5)
        let error = #expect(throws: ProviderError.self) {
            try Self.run(fetch: { (number) throws(ProviderError) -> FetchedPage<Int> in
                var fetched = try fetch(number)
                if number == 2 { fetched.stop = ProviderError(.malformedResponse, "nextLink leads elsewhere") }
                return fetched
            }) { page in delivered.append(page.dropped) }
        }
        #expect(error?.kind == .malformedResponse)
        #expect(delivered == [1, 2])
        #expect(journal.all == ["fetch 1", "fetch 2"])
    }

    @Test func whenTheSinkFailsTheReadAheadIsWaitedForAndDropped() {
        let journal = Journal()
        var delivered: [Int] = []
        #expect(throws: ProviderError.self) {
            try Self.run(fetch: Self.fetcher(journal, last: 5, delay: 0.2)) { (page) throws(ProviderError) in
                delivered.append(page.dropped)
                if page.dropped == 2 { throw ProviderError(.deliveryFailed, "Kafka is down") }
            }
        }
        // Page 3 was in flight: it finished before `run` returned, and nothing after it started.
        #expect(delivered == [1, 2])
        let stillFetching = journal.fetching.load(ordering: .sequentiallyConsistent)
        #expect(stillFetching == 0)
        #expect(journal.all == ["fetch 1", "fetch 2", "fetch 3"])
    }

    @Test func theFirstFetchFailingDeliversNothing() {
        let journal = Journal()
        var delivered = 0
        #expect(throws: ProviderError.self) {
            try Self.run(fetch: Self.fetcher(journal, last: 5, failing: 1)) { _ in delivered += 1 }
        }
        #expect(delivered == 0)
    }

    @Test func aJobThatIsNeverWaitedForIsJoinedBeforeItsStateGoes() {
        let journal = Journal()
        do {
            _ = ReadAheadJob { () -> Int in
                Thread.sleep(forTimeInterval: 0.1)
                journal.note("finished")
                return 1
            }
        }
        #expect(journal.all == ["finished"])
    }
}

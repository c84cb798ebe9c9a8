/// Notices a paging token (Graph's nextLink, Cloud Logging's pageToken, CloudTrail's
/// NextToken) that comes back within one window's read: an API in a loop would
/// otherwise re-deliver the same pages until the run's deadline, every run.
struct RepeatedPageToken {
    let what: String
    /// Hashes, not the tokens: a window may page a hundred thousand times.
    private var seen: Set<Int> = []

    init(what: String) { self.what = what }

    mutating func check(_ token: String) throws(ProviderError) {
        guard seen.insert(token.hashValue).inserted else {
            throw ProviderError(.malformedResponse, "\(what) repeated an earlier page's; the API is looping")
        }
    }
}

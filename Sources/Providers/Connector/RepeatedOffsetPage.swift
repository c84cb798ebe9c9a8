/// Notices an offset-paged API that ignores the offset: the same full page comes back for every
/// offset, which no short page ever ends, so the read would go on until the run's deadline,
/// every run, and the stream would never move. A page token would be caught by
/// `RepeatedPageToken`; an offset is always new, so the pages themselves are compared.
struct RepeatedOffsetPage {
    let what: String
    /// A hash of the previous page's record ids, in order (nil before the first page).
    private var previous: Int?

    init(what: String) { self.what = what }

    mutating func check(ids: [String]) throws(ProviderError) {
        var hasher = Hasher()
        hasher.combine(ids)
        let page = hasher.finalize()
        defer { previous = page }
        guard !ids.isEmpty, page == previous else { return }
        throw ProviderError(.malformedResponse, "\(what): the next offset returned the same page again; the API ignores the offset")
    }
}

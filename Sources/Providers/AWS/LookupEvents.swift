internal import JSONBytes
internal import UTCTime

/// CloudTrail `LookupEvents` on the wire (AWS JSON 1.1): the request body and
/// the response page.
enum LookupEvents {
    static let target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
    /// "Possible values are 1 through 50. The default is 50." (LookupEvents API reference)
    static let maxResults = 50

    /// `{"StartTime":…,"EndTime":…,"MaxResults":…,"NextToken":…}`, times in whole epoch
    /// seconds as the SDKs send them. Both bounds are inclusive on the wire; the start is
    /// rounded down and the end up, so a sub-second window edge never loses an event (the
    /// reader drops what the rounding adds, see `CloudTrailReader.isInside`).
    static func body(window: TimeWindow, maxResults: Int, nextToken: String?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 96 + (nextToken?.utf8.count ?? 0))
        writer.beginObject()
        writer.key("StartTime"); writer.int(Int(window.start.seconds))
        writer.key("EndTime"); writer.int(Int(roundedUp(window.end)))
        writer.key("MaxResults"); writer.int(min(max(1, maxResults), Self.maxResults))
        if let nextToken { writer.key("NextToken"); writer.string(nextToken) }
        writer.endObject()
        return writer.bytes
    }

    private static func roundedUp(_ time: UTCTimestamp) -> Int64 {
        time.microseconds % 1_000_000 == 0 ? time.seconds : time.seconds + 1
    }

    /// One response: `{"Events":[…],"NextToken":"…"}`, newest event first.
    struct Page {
        var events: RawJSON.Elements
        /// Absent (or empty) on the last page.
        var nextToken: String?

        private static let selector = JSONPathSelector([["Events"], ["NextToken"]])

        init(parsing body: [UInt8]) throws(ProviderError) {
            let page: RawJSON
            do {
                page = try RawJSON(validating: body)
            } catch {
                throw ProviderError(.malformedResponse, "LookupEvents: response is not valid JSON (\(error.description))")
            }
            let top = Self.selector.select(in: page)
            guard let events = top[0], events.kind == .array else {
                throw ProviderError(.malformedResponse, "LookupEvents: response has no \"Events\" array")
            }
            self.events = events.elements
            let token = top[1]?.stringValue
            nextToken = token?.isEmpty == false ? token : nil
        }
    }
}

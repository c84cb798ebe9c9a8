public import UTCTime

/// A half-open span of event time, `[start, end]` as the provider filters it
/// (bounds inclusive on the wire; duplicates at the edges are removed by `seen`).
public struct TimeWindow: Sendable, Equatable, CustomStringConvertible {
    public var start: UTCTimestamp
    public var end: UTCTimestamp
    public init(start: UTCTimestamp, end: UTCTimestamp) {
        self.start = start
        self.end = end
    }
    public var description: String { "[\(start.rfc3339), \(end.rfc3339)]" }
}

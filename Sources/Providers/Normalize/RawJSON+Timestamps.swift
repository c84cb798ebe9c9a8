public import JSONBytes
public import UTCTime

extension RawJSON {
    /// A string value holding an RFC 3339 time, read without allocating.
    public var timestampValue: UTCTimestamp? {
        guard kind == .string, range.count >= 22 else { return nil }
        return document.withUnsafeBufferPointer { buffer in
            UTCTimestamp(utf8: UnsafeBufferPointer(rebasing: buffer[(range.lowerBound + 1)..<(range.upperBound - 1)]))
        }
    }

    /// The first of the values that is a non-empty string. Two or three fixed arguments
    /// rather than a variadic list: this runs per event, and a variadic call allocates an array.
    public static func firstString(_ first: RawJSON?, _ second: RawJSON?, _ third: RawJSON? = nil) -> RawJSON? {
        if let first, first.isNonEmptyString { return first }
        if let second, second.isNonEmptyString { return second }
        if let third, third.isNonEmptyString { return third }
        return nil
    }

    private var isNonEmptyString: Bool { kind == .string && range.count > 2 }
}

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

    /// The first of `values` that is a non-empty string.
    public static func firstString(_ values: RawJSON?...) -> RawJSON? {
        values.first { value in
            guard let value, value.kind == .string else { return false }
            return value.range.count > 2
        } ?? nil
    }
}

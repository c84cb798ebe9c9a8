/// A document that passed validation, shared by every `RawJSON` cut from it.
///
/// Besides the bytes it keeps where each large container ends (found for free
/// during validation), so skipping a Graph page's `value` array to reach the
/// `@odata.nextLink` after it is a lookup instead of a second pass over megabytes.
final class ValidatedDocument: Sendable {
    let bytes: [UInt8]
    /// (opening offset, end offset) pairs, flattened and sorted by opening offset.
    let largeContainers: [Int]

    /// Containers spanning at least this many bytes are indexed. Large enough that
    /// a page has only a handful, so lookups stay a short binary search.
    static var largeContainerSpan: Int { 16 * 1024 }

    init(bytes: [UInt8], largeContainers: [Int]) {
        self.bytes = bytes
        self.largeContainers = largeContainers
    }

    @inline(__always)
    func withValidated<R>(_ body: (ValidatedBytes) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            largeContainers.withUnsafeBufferPointer { index in body(ValidatedBytes(buffer, largeContainers: index)) }
        }
    }
}

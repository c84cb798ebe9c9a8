/// A document that passed validation, shared by every `RawJSON` cut from it.
///
/// Besides the bytes it keeps where each large container ends (found for free
/// during validation): skipping a Graph page's `value` array to reach the
/// `@odata.nextLink` after it is a lookup instead of a second pass over megabytes,
/// and iterating the events finds each one's end without scanning it again.
@usableFromInline
final class ValidatedDocument: Sendable {
    @usableFromInline let bytes: [UInt8]
    /// (opening offset, end offset) pairs, flattened and sorted by opening offset.
    let largeContainers: [Int]

    /// Containers spanning at least this many bytes are indexed: audit events
    /// (~1-2 KiB) are, their small nested objects are not. The index is at most
    /// one entry per 512 bytes per nesting level.
    static var largeContainerSpan: Int { 512 }

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

/// Arrays: element iteration. Each element is a `RawJSON` over the shared document,
/// so an event's verbatim bytes (`element.bytes`) can go downstream as `raw_log`
/// without any re-encoding.
extension RawJSON {
    /// The elements in order; empty when this is not an array.
    public var elements: Elements { Elements(array: self) }

    /// The elements of an array, as a lazy sequence over the shared document.
    public struct Elements: Sequence, Sendable {
        let array: RawJSON?

        /// An empty sequence (handy as a default: `json["value"]?.elements ?? .init()`).
        public init() { array = nil }

        init(array: RawJSON) { self.array = array.kind == .array ? array : nil }

        /// Starts an iteration over the elements.
        public func makeIterator() -> Iterator {
            guard let array else { return Iterator(storage: nil, position: nil) }
            let first = array.withValidated { $0.firstItem(array.range.lowerBound) }
            return Iterator(storage: array.storage, position: first)
        }

        /// Yields each element in turn; finding an element's end is the only work done.
        public struct Iterator: IteratorProtocol, Sendable {
            let storage: ValidatedDocument?
            var position: Int?
            /// Where the last index lookup ended, see `ValidatedBytes.knownEnd`.
            var hint = 0

            /// The next element, or nil after the last.
            public mutating func next() -> RawJSON? {
                guard let start = position, let storage else { return nil }
                let (end, following) = storage.withValidated { bytes in
                    let end = bytes.skipValue(start, hint: &hint)
                    return (end, bytes.nextItem(end).next)
                }
                position = following
                return RawJSON(unchecked: storage, range: start..<end)
            }
        }
    }

    /// The element at `index`, or nil when this is not an array or too short.
    /// Walks from the start: iterate `elements` to visit them all.
    public subscript(index: Int) -> RawJSON? {
        guard index >= 0 else { return nil }
        var iterator = elements.makeIterator()
        for _ in 0..<index where iterator.next() == nil { return nil }
        return iterator.next()
    }
}

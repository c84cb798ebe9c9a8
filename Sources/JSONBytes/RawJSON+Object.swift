/// Objects: member lookup and iteration without decoding anything but keys.
extension RawJSON {
    /// One object member: its key (a string value, see `stringValue` and
    /// `stringEquals`) and its value.
    public typealias Member = (key: RawJSON, value: RawJSON)

    /// The member value for `key`, or nil when this is not an object or has no
    /// such key. Scans the members in order (keys are unique once validated).
    public subscript(key: String) -> RawJSON? {
        guard kind == .object else { return nil }
        let found: Range<Int>? = withUTF8(of: key) { wanted in
            withValidated { bytes in bytes.memberValue(inObjectAt: range.lowerBound, key: wanted) }
        }
        return found.map { RawJSON(unchecked: storage, range: $0) }
    }

    /// The value at a key path through nested objects, e.g.
    /// `["initiatedBy", "user", "userPrincipalName"]`; nil if any step is missing
    /// or not an object. An empty path is this value itself.
    public subscript(path path: [String]) -> RawJSON? {
        var current = self
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// The members in document order; empty when this is not an object.
    public var members: Members { Members(object: self) }

    /// The members of an object, as a lazy sequence over the shared document.
    public struct Members: Sequence, Sendable {
        let object: RawJSON?

        /// An empty sequence.
        public init() { object = nil }

        init(object: RawJSON) { self.object = object.kind == .object ? object : nil }

        /// Starts an iteration over the members.
        public func makeIterator() -> Iterator {
            guard let object else { return Iterator(storage: nil, position: nil) }
            let first = object.withValidated { $0.firstItem(object.range.lowerBound) }
            return Iterator(storage: object.storage, position: first)
        }

        /// Yields each member in turn; finding a value's end is the only work done.
        public struct Iterator: IteratorProtocol, Sendable {
            let storage: ValidatedDocument?
            var position: Int?
            /// Where the last index lookup ended, see `ValidatedBytes.knownEnd`.
            var hint = 0

            /// The next member, or nil after the last.
            public mutating func next() -> Member? {
                guard let keyStart = position, let storage else { return nil }
                let (keyEnd, valueStart, valueEnd, following) = storage.withValidated { bytes in
                    let (keyEnd, _, valueStart) = bytes.member(keyStart)
                    let valueEnd = bytes.skipValue(valueStart, hint: &hint)
                    return (keyEnd, valueStart, valueEnd, bytes.nextItem(valueEnd).next)
                }
                position = following
                return (RawJSON(unchecked: storage, range: keyStart..<keyEnd),
                        RawJSON(unchecked: storage, range: valueStart..<valueEnd))
            }
        }
    }
}

extension ValidatedBytes {
    /// The range of the value of member `key` in the object starting at `object`.
    func memberValue(inObjectAt object: Int, key: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard var item = firstItem(object) else { return nil }
        while true {
            let (keyEnd, escaped, valueStart) = member(item)
            let valueEnd = skipValue(valueStart)
            if keyEquals(item, keyEnd, escaped: escaped, key) { return valueStart..<valueEnd }
            guard let next = nextItem(valueEnd).next else { return nil }
            item = next
        }
    }
}

/// Runs `body` over the UTF-8 of `text` without copying native strings.
@inline(__always)
func withUTF8<R>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    return Array(text.utf8).withUnsafeBufferPointer(body)
}

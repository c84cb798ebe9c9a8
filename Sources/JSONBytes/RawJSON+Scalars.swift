/// Reading scalar values. Each accessor returns nil for other kinds, so a member
/// that is absent (`json["k"] == nil`), `null` (`isNull`) and of an unexpected type
/// stay distinguishable.
extension RawJSON {
    /// Whether this is `null`.
    public var isNull: Bool { storage.bytes[range.lowerBound] == ASCII.lowerN }

    /// The decoded text of a string (escapes resolved), else nil.
    public var stringValue: String? {
        guard kind == .string else { return nil }
        return withValidated { StringDecoding.string($0.p, range.lowerBound + 1, range.upperBound - 1) }
    }

    /// Whether this is a string whose decoded text equals `other`; no allocation
    /// unless the string contains escapes.
    public func stringEquals(_ other: String) -> Bool {
        guard kind == .string else { return false }
        let lower = range.lowerBound
        let upper = range.upperBound
        return withValidated { bytes in
            let escaped = StringDecoding.firstBackslash(bytes.p, lower + 1, upper - 1) != nil
            if let result = other.utf8.withContiguousStorageIfAvailable({
                bytes.keyEquals(lower, upper, escaped: escaped, $0)
            }) {
                return result
            }
            return Array(other.utf8).withUnsafeBufferPointer { bytes.keyEquals(lower, upper, escaped: escaped, $0) }
        }
    }

    /// The value of `true` / `false`, else nil.
    public var boolValue: Bool? {
        switch storage.bytes[range.lowerBound] {
        case ASCII.lowerT: true
        case ASCII.lowerF: false
        default: nil
        }
    }

    /// The integer a number denotes if it is exact and within `Int`'s range, else nil.
    public var intValue: Int? {
        guard kind == .number else { return nil }
        return storage.bytes.withUnsafeBufferPointer { NumberText.int(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The nearest `Double` to a number, else nil.
    public var doubleValue: Double? {
        guard kind == .number else { return nil }
        return Double(text)
    }

    /// The value decoded into a `JSONValue` tree.
    public func decoded() -> JSONValue {
        var i = range.lowerBound
        return withValidated { $0.tree(&i) }
    }
}

extension JSONValue {
    /// Parses a complete JSON text (RFC 8259). Rejects trailing garbage, duplicate
    /// object keys, invalid UTF-8, lone surrogates and nesting deeper than `maxDepth`.
    ///
    /// Contiguous inputs (`[UInt8]`, `ArraySlice`, `String.UTF8View`, buffers) are
    /// read in place; other collections are copied once. Validation is iterative,
    /// but building (and later destroying) the tree recurses once per nesting
    /// level, which is one more reason to keep `maxDepth` modest.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes, maxDepth: Int = 64) throws(JSONError) -> JSONValue {
        let inPlace = bytes.withContiguousStorageIfAvailable { parse(buffer: $0, maxDepth: maxDepth) }
        if let inPlace { return try inPlace.get() }
        return try Array(bytes).withUnsafeBufferPointer { parse(buffer: $0, maxDepth: maxDepth) }.get()
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONError> {
        do throws(JSONError) {
            var i = try Validator.validate(buffer, maxDepth: maxDepth).range.lowerBound
            return .success(ValidatedBytes(buffer, largeContainers: UnsafeBufferPointer(start: nil, count: 0)).tree(&i))
        } catch {
            return .failure(error)
        }
    }
}

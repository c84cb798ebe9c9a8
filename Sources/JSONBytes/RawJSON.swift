/// A JSON value that stays as bytes: a validated document plus the byte range of
/// one value inside it. This is the poller's hot-path view of a response body.
///
/// The only public way in is `init(validating:)`, which checks the whole document
/// once (the same strict rules as `JSONValue.parse`, so a truncated or malformed
/// body is an error, never a partial result). Every `RawJSON` derived from it by
/// navigation (`members`, `elements`, `subscript`, `JSONPathSelector`) shares the
/// same storage, allocates nothing per member, and never re-checks the grammar.
///
/// ```swift
/// let page = try RawJSON(validating: body)
/// let top = JSONPathSelector([["value"], ["@odata.nextLink"]]).select(in: page)
/// for event in top[0]?.elements ?? RawJSON.Elements() {
///     let id = event["id"]?.stringValue   // event.bytes is the verbatim raw event
/// }
/// let next = top[1]?.stringValue
/// ```
public struct RawJSON: Sendable {
    /// The validated document this value lives in (shared, never copied).
    @usableFromInline let storage: ValidatedDocument
    /// Where this value's JSON text sits in `document` (no surrounding whitespace).
    public let range: Range<Int>

    /// What kind of JSON value this is; read from the first byte, so it is free.
    public enum Kind: Sendable, Hashable {
        /// `{...}`.
        case object
        /// `[...]`.
        case array
        /// `"..."`.
        case string
        /// A number.
        case number
        /// `true` or `false`.
        case bool
        /// `null`.
        case null
    }

    /// Validates `document` as one complete JSON text (RFC 8259, no duplicate keys,
    /// valid UTF-8, no lone surrogates, at most `maxDepth` nested containers) and
    /// wraps its top-level value. The array is kept, not copied.
    public init(validating document: [UInt8], maxDepth: Int = 64) throws(JSONError) {
        let (range, largeContainers) = try document.withUnsafeBufferPointer { buffer throws(JSONError) in
            try Validator.validate(buffer, maxDepth: maxDepth)
        }
        self.init(unchecked: ValidatedDocument(bytes: document, largeContainers: largeContainers), range: range)
    }

    /// Validates a copy of `bytes` as one complete JSON text; see `init(validating:maxDepth:)`.
    public init<Bytes: Collection<UInt8>>(validating bytes: Bytes, maxDepth: Int = 64) throws(JSONError) {
        try self.init(validating: Array(bytes), maxDepth: maxDepth)
    }

    /// Validates the UTF-8 of `text` as one complete JSON text.
    public init(validating text: String, maxDepth: Int = 64) throws(JSONError) {
        try self.init(validating: Array(text.utf8), maxDepth: maxDepth)
    }

    /// Wraps a range already known to hold exactly one validated value.
    init(unchecked storage: ValidatedDocument, range: Range<Int>) {
        self.storage = storage
        self.range = range
    }

    /// The whole validated document this value lives in (shared, never copied).
    public var document: [UInt8] { storage.bytes }

    /// The value's kind.
    public var kind: Kind {
        switch storage.bytes[range.lowerBound] {
        case ASCII.openBrace: .object
        case ASCII.openBracket: .array
        case ASCII.quote: .string
        case ASCII.lowerT, ASCII.lowerF: .bool
        case ASCII.lowerN: .null
        default: .number
        }
    }

    /// The value's JSON text, verbatim (indices are offsets into `document`).
    public var bytes: ArraySlice<UInt8> { document[range] }

    /// The value's JSON text as a `String`, verbatim.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Calls `body` with the value's JSON text in place. Inlinable: callers in other modules
    /// use it per field per event, and unspecialized it cost ~180 instructions a call.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try storage.bytes.withUnsafeBufferPointer { (all) throws(E) -> R in
            try body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: all[range])))
        }
    }

    /// Runs `body` over the document as validated bytes.
    @inline(__always)
    func withValidated<R>(_ body: (ValidatedBytes) -> R) -> R {
        storage.withValidated(body)
    }
}

extension RawJSON: CustomStringConvertible {
    /// The value's JSON text.
    public var description: String { text }
}

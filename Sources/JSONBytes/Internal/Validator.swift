/// The one strict RFC 8259 pass every input goes through, for both `JSONValue.parse`
/// and `RawJSON(validating:)`. Keeping a single validator means the tree parser and the
/// zero-copy scanner accept exactly the same documents; everything that runs after it
/// may assume well-formed bytes and skip all checks.
///
/// Iterative (an explicit container stack), so hostile nesting cannot overflow the
/// call stack whatever `maxDepth` is.
struct Validator {
    /// The token-level checks; the structure below drives them.
    let tokens: TokenValidator
    let maxDepth: Int
    /// Open containers, innermost last.
    var frames = PlainStack<Frame>(capacity: 16)
    /// Keys of all open objects; each object frame owns the tail from `keysStart`.
    var keys = PlainStack<KeyRef>(capacity: 64)
    /// Decoded keys of the open objects that grew past `linearKeyLimit` members, so
    /// that huge objects stay linear-time; a stack like `frames`.
    var keyTables: [Set<[UInt8]>] = []
    /// (open, end) of closed containers spanning at least
    /// `ValidatedDocument.largeContainerSpan` bytes, in closing order.
    var largeContainers: [(open: Int, end: Int)] = []

    var p: UnsafePointer<UInt8> { tokens.p }
    var count: Int { tokens.count }

    /// Plain data, so pushing and popping frames costs no reference counting.
    struct Frame {
        var isObject: Bool
        /// Offset of the opening bracket.
        var open: Int
        var keysStart: Int
        /// Index into `keyTables`, or -1 while the object is small.
        var table: Int
        /// Bloom filter over the keys' prefixes and lengths (see `record`).
        var bloom: UInt64 = 0
        /// Whether any key so far had an escape.
        var anyEscaped = false
    }

    /// A key's content (between the quotes), whether it holds escapes, and its
    /// first bytes as a word so most unequal keys differ in one compare.
    struct KeyRef {
        var start: Int
        var end: Int
        var escaped: Bool
        var prefix: UInt64
    }

    /// Up to this many keys per object are checked pairwise: cheaper than hashing
    /// for the 5-15 member objects audit logs are made of.
    static var linearKeyLimit: Int { 16 }

    /// Validates `buffer` as one complete JSON text; returns the value's byte range
    /// with surrounding whitespace trimmed, and the large-container index (see
    /// `ValidatedDocument`).
    static func validate(
        _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int
    ) throws(JSONError) -> (range: Range<Int>, largeContainers: [Int]) {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw JSONError(offset: 0, reason: "unexpected end of input")
        }
        var v = Validator(tokens: TokenValidator(p: base, count: buffer.count), maxDepth: maxDepth)
        defer { v.frames.deallocate(); v.keys.deallocate() }
        let range = try v.document()
        let index = v.largeContainers.sorted { $0.open < $1.open }.flatMap { [$0.open, $0.end] }
        return (range, index)
    }

    mutating func document() throws(JSONError) -> Range<Int> {
        var i = tokens.skipWhitespace(0)
        let start = i
        try value(&i)
        let end = i
        i = tokens.skipWhitespace(i)
        if i < count { throw JSONError(offset: i, reason: "unexpected data after the JSON value") }
        return start..<end
    }

    // MARK: structure

    /// The whole grammar above tokens, as a loop. `i` is a local of the caller so it
    /// stays in a register across the token calls.
    mutating func value(_ i: inout Int) throws(JSONError) {
        let tokens = tokens
        nextValue: while true {
            i = tokens.skipWhitespace(i)
            guard i < count else { throw tokens.endOfInput() }
            switch p[i] {
            case ASCII.openBrace:
                try open(object: true, at: i)
                i = tokens.skipWhitespace(i &+ 1)
                guard i < count else { throw tokens.endOfInput() }
                if p[i] == ASCII.closeBrace {
                    i &+= 1
                    close(end: i)
                } else {
                    try key(&i)
                    continue nextValue
                }
            case ASCII.openBracket:
                try open(object: false, at: i)
                i = tokens.skipWhitespace(i &+ 1)
                guard i < count else { throw tokens.endOfInput() }
                if p[i] == ASCII.closeBracket {
                    i &+= 1
                    close(end: i)
                } else {
                    continue nextValue
                }
            case ASCII.quote:
                _ = try tokens.string(&i)
            case ASCII.minus, ASCII.zero...ASCII.nine:
                try tokens.number(&i)
            case ASCII.lowerT:
                try tokens.literal("true", &i)
            case ASCII.lowerF:
                try tokens.literal("false", &i)
            case ASCII.lowerN:
                try tokens.literal("null", &i)
            default:
                throw JSONError(offset: i, reason: "expected a value")
            }

            // A value just ended: continue the innermost container or finish.
            while let isObject = frames.last?.isObject {
                i = tokens.skipWhitespace(i)
                guard i < count else { throw tokens.endOfInput() }
                let c = p[i]
                if c == ASCII.comma {
                    i = tokens.skipWhitespace(i &+ 1)
                    if isObject { try key(&i) }
                    continue nextValue
                }
                if isObject {
                    guard c == ASCII.closeBrace else { throw JSONError(offset: i, reason: "expected ',' or '}'") }
                } else {
                    guard c == ASCII.closeBracket else { throw JSONError(offset: i, reason: "expected ',' or ']'") }
                }
                i &+= 1
                close(end: i)
            }
            return
        }
    }

    @inline(__always)
    private mutating func open(object: Bool, at i: Int) throws(JSONError) {
        guard frames.count < maxDepth else {
            throw JSONError(offset: i, reason: "nesting deeper than \(maxDepth)")
        }
        frames.append(Frame(isObject: object, open: i, keysStart: keys.count, table: -1))
    }

    @inline(__always)
    private mutating func close(end: Int) {
        let frame = frames.removeLast()
        if end &- frame.open >= ValidatedDocument.largeContainerSpan {
            largeContainers.append((frame.open, end))
        }
        if frame.isObject {
            keys.removeAll(from: frame.keysStart)
            if frame.table >= 0 { keyTables.removeLast() }
        }
    }

    /// An object key, the colon after it, and the duplicate check.
    @inline(__always)
    private mutating func key(_ i: inout Int) throws(JSONError) {
        guard i < count else { throw tokens.endOfInput() }
        guard p[i] == ASCII.quote else { throw JSONError(offset: i, reason: "expected a string key") }
        let start = i
        let escaped = try tokens.string(&i)
        let length = i &- 2 &- start
        let prefix = SWAR.prefix(p, start &+ 1, length, end: count)
        try record(KeyRef(start: start &+ 1, end: i &- 1, escaped: escaped, prefix: prefix), at: start)
        i = tokens.skipWhitespace(i)
        guard i < count else { throw tokens.endOfInput() }
        guard p[i] == ASCII.colon else { throw JSONError(offset: i, reason: "expected ':'") }
        i &+= 1
    }
}

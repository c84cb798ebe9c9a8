/// The one strict RFC 8259 pass every input goes through, for both `JSONValue.parse`
/// and `RawJSON(validating:)`. Keeping a single validator means the tree parser and the
/// zero-copy scanner accept exactly the same documents; everything that runs after it
/// may assume well-formed bytes and skip all checks.
///
/// Iterative (an explicit container stack), so hostile nesting cannot overflow the
/// call stack whatever `maxDepth` is.
struct Validator {
    let p: UnsafePointer<UInt8>
    let count: Int
    let maxDepth: Int
    var i = 0
    /// Open containers, innermost last.
    var frames: [Frame] = []
    /// Keys of all open objects; each object frame owns the tail from `keysStart`.
    var keys: [KeyRef] = []

    struct Frame {
        var isObject: Bool
        var keysStart: Int
        /// Decoded keys, built once an object grows past `linearKeyLimit` members so
        /// that huge objects stay linear-time.
        var keyTable: Set<[UInt8]>?
    }

    /// A key's content (between the quotes) and whether it holds escapes.
    struct KeyRef {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    /// Up to this many keys per object are checked pairwise: cheaper than hashing
    /// for the 5-15 member objects audit logs are made of.
    static var linearKeyLimit: Int { 16 }

    /// Validates `buffer` as one complete JSON text; returns the value's byte range
    /// with surrounding whitespace trimmed.
    static func validate(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(JSONError) -> Range<Int> {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw JSONError(offset: 0, reason: "unexpected end of input")
        }
        var v = Validator(p: base, count: buffer.count, maxDepth: maxDepth)
        return try v.document()
    }

    mutating func document() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        let start = i
        try value()
        let end = i
        skipWhitespace()
        if i < count { throw JSONError(offset: i, reason: "unexpected data after the JSON value") }
        return start..<end
    }

    // MARK: structure

    mutating func value() throws(JSONError) {
        nextValue: while true {
            skipWhitespace()
            guard i < count else { throw endOfInput() }
            switch p[i] {
            case ASCII.openBrace:
                try open(object: true)
                skipWhitespace()
                guard i < count else { throw endOfInput() }
                if p[i] == ASCII.closeBrace {
                    i += 1
                    close()
                } else {
                    try key()
                    continue nextValue
                }
            case ASCII.openBracket:
                try open(object: false)
                skipWhitespace()
                guard i < count else { throw endOfInput() }
                if p[i] == ASCII.closeBracket {
                    i += 1
                    close()
                } else {
                    continue nextValue
                }
            case ASCII.quote:
                _ = try string()
            case ASCII.minus, ASCII.zero...ASCII.nine:
                try number()
            case ASCII.lowerT:
                try literal("true")
            case ASCII.lowerF:
                try literal("false")
            case ASCII.lowerN:
                try literal("null")
            default:
                throw JSONError(offset: i, reason: "expected a value")
            }

            // A value just ended: continue the innermost container or finish.
            while let top = frames.last {
                skipWhitespace()
                guard i < count else { throw endOfInput() }
                let c = p[i]
                if top.isObject {
                    if c == ASCII.comma {
                        i += 1
                        skipWhitespace()
                        try key()
                        continue nextValue
                    }
                    guard c == ASCII.closeBrace else { throw JSONError(offset: i, reason: "expected ',' or '}'") }
                } else {
                    if c == ASCII.comma {
                        i += 1
                        continue nextValue
                    }
                    guard c == ASCII.closeBracket else { throw JSONError(offset: i, reason: "expected ',' or ']'") }
                }
                i += 1
                close()
            }
            return
        }
    }

    private mutating func open(object: Bool) throws(JSONError) {
        guard frames.count < maxDepth else {
            throw JSONError(offset: i, reason: "nesting deeper than \(maxDepth)")
        }
        frames.append(Frame(isObject: object, keysStart: keys.count, keyTable: nil))
        i += 1
    }

    private mutating func close() {
        let frame = frames.removeLast()
        if frame.isObject { keys.removeSubrange(frame.keysStart...) }
    }

    /// An object key, the colon after it, and the duplicate check.
    private mutating func key() throws(JSONError) {
        guard i < count else { throw endOfInput() }
        guard p[i] == ASCII.quote else { throw JSONError(offset: i, reason: "expected a string key") }
        let start = i
        let escaped = try string()
        try record(KeyRef(start: start + 1, end: i - 1, escaped: escaped), at: start)
        skipWhitespace()
        guard i < count else { throw endOfInput() }
        guard p[i] == ASCII.colon else { throw JSONError(offset: i, reason: "expected ':'") }
        i += 1
    }

    // MARK: scalars

    private mutating func number() throws(JSONError) {
        if p[i] == ASCII.minus { i += 1 }
        guard i < count else { throw endOfInput() }
        if p[i] == ASCII.zero {
            i += 1
            if i < count && ASCII.isDigit(p[i]) { throw JSONError(offset: i - 1, reason: "leading zero in number") }
        } else if ASCII.isDigit(p[i]) {
            i += 1
            skipDigits()
        } else {
            throw JSONError(offset: i, reason: "expected a digit")
        }
        if i < count && p[i] == ASCII.dot {
            i += 1
            try requireDigit(after: "'.'")
        }
        if i < count && (p[i] | 0x20) == ASCII.lowerE {
            i += 1
            if i < count && (p[i] == ASCII.plus || p[i] == ASCII.minus) { i += 1 }
            try requireDigit(after: "exponent")
        }
    }

    private mutating func requireDigit(after what: String) throws(JSONError) {
        guard i < count else { throw endOfInput() }
        guard ASCII.isDigit(p[i]) else { throw JSONError(offset: i, reason: "expected a digit after \(what)") }
        skipDigits()
    }

    @inline(__always)
    private mutating func skipDigits() {
        while i < count && ASCII.isDigit(p[i]) { i += 1 }
    }

    private mutating func literal(_ word: StaticString) throws(JSONError) {
        let start = i
        for expected in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard i < count else { throw endOfInput() }
            guard p[i] == expected else { throw JSONError(offset: start, reason: "invalid literal") }
            i += 1
        }
    }

    // MARK: helpers

    @inline(__always)
    mutating func skipWhitespace() {
        while i < count && ASCII.isWhitespace(p[i]) { i += 1 }
    }

    func endOfInput() -> JSONError { JSONError(offset: count, reason: "unexpected end of input") }
}

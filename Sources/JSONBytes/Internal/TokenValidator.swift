/// Token-level checks (strings, numbers, literals, whitespace) for the `Validator`.
/// Stateless apart from the buffer: the position is the caller's local, passed
/// `inout`, so the hot loop keeps it in a register.
struct TokenValidator {
    let p: UnsafePointer<UInt8>
    let count: Int

    @inline(__always)
    func skipWhitespace(_ i: Int) -> Int {
        var i = i
        while i < count && ASCII.isWhitespace(p[i]) { i &+= 1 }
        return i
    }

    func endOfInput() -> JSONError { JSONError(offset: count, reason: "unexpected end of input") }

    // MARK: numbers and literals

    func number(_ i: inout Int) throws(JSONError) {
        if p[i] == ASCII.minus { i &+= 1 }
        guard i < count else { throw endOfInput() }
        if p[i] == ASCII.zero {
            i &+= 1
            if i < count && ASCII.isDigit(p[i]) { throw JSONError(offset: i - 1, reason: "leading zero in number") }
        } else if ASCII.isDigit(p[i]) {
            i &+= 1
            skipDigits(&i)
        } else {
            throw JSONError(offset: i, reason: "expected a digit")
        }
        if i < count && p[i] == ASCII.dot {
            i &+= 1
            try requireDigits(&i, after: "'.'")
        }
        if i < count && (p[i] | 0x20) == ASCII.lowerE {
            i &+= 1
            if i < count && (p[i] == ASCII.plus || p[i] == ASCII.minus) { i &+= 1 }
            try requireDigits(&i, after: "exponent")
        }
    }

    private func requireDigits(_ i: inout Int, after what: String) throws(JSONError) {
        guard i < count else { throw endOfInput() }
        guard ASCII.isDigit(p[i]) else { throw JSONError(offset: i, reason: "expected a digit after \(what)") }
        skipDigits(&i)
    }

    @inline(__always)
    private func skipDigits(_ i: inout Int) {
        while i < count && ASCII.isDigit(p[i]) { i &+= 1 }
    }

    func literal(_ word: StaticString, _ i: inout Int) throws(JSONError) {
        let start = i
        for expected in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard i < count else { throw endOfInput() }
            guard p[i] == expected else { throw JSONError(offset: start, reason: "invalid literal") }
            i &+= 1
        }
    }
}

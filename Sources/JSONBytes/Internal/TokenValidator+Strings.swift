/// String validation: escapes, surrogate pairing, control characters and UTF-8.
extension TokenValidator {
    /// Validates the string starting at the opening quote at `i`; leaves `i` after the
    /// closing quote. Returns whether the string contained any escape.
    @inline(__always)
    func string(_ i: inout Int) throws(JSONError) -> Bool {
        i &+= 1
        var escaped = false
        while true {
            // Plain ASCII runs are the common case: hop a word at a time to the next
            // byte that needs a closer look.
            while i &+ 8 <= count {
                let mask = SWAR.stringAttention(SWAR.load(p, i))
                if mask != 0 {
                    i &+= SWAR.firstIndex(mask)
                    break
                }
                i &+= 8
            }
            guard i < count else { throw endOfInput() }
            let c = p[i]
            if c == ASCII.quote {
                i &+= 1
                return escaped
            } else if c == ASCII.backslash {
                escaped = true
                try escape(&i)
            } else if c < 0x20 {
                throw JSONError(offset: i, reason: "control character in string")
            } else if c < 0x80 {
                i &+= 1
            } else {
                try utf8Sequence(&i)
            }
        }
    }

    /// One escape sequence starting at the backslash at `i`.
    private func escape(_ i: inout Int) throws(JSONError) {
        let start = i
        i += 1
        guard i < count else { throw endOfInput() }
        switch p[i] {
        case ASCII.quote, ASCII.backslash, ASCII.slash,
            0x62, 0x66, 0x6E, 0x72, 0x74:  // b f n r t
            i += 1
        case 0x75:  // u
            i += 1
            let unit = try hex4(&i)
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate is only valid as the first half of a \u pair.
                guard i < count else { throw endOfInput() }
                guard p[i] == ASCII.backslash else { throw loneSurrogate(start) }
                guard i + 1 < count else { throw endOfInput() }
                guard p[i + 1] == 0x75 else { throw loneSurrogate(start) }
                i += 2
                let low = try hex4(&i)
                guard (0xDC00...0xDFFF).contains(low) else { throw loneSurrogate(start) }
            case 0xDC00...0xDFFF:
                throw loneSurrogate(start)
            default:
                break
            }
        default:
            throw JSONError(offset: start, reason: "invalid escape sequence")
        }
    }

    private func hex4(_ i: inout Int) throws(JSONError) -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard i < count else { throw endOfInput() }
            guard let digit = ASCII.hexValue(p[i]) else {
                throw JSONError(offset: i, reason: "expected a hex digit in \\u escape")
            }
            unit = unit << 4 | digit
            i += 1
        }
        return unit
    }

    /// One multi-byte UTF-8 sequence at `i` (lead byte >= 0x80), per the
    /// well-formed byte sequences table of the Unicode standard (no overlongs,
    /// no surrogates, nothing above U+10FFFF).
    private func utf8Sequence(_ i: inout Int) throws(JSONError) {
        let lead = p[i]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw invalidUTF8(i)
        }
        guard i + length <= count else {
            // Truncated mid-character: report the end only if what is there fits.
            for k in 1..<(count - i) where !(0x80...0xBF).contains(p[i + k]) { throw invalidUTF8(i) }
            throw endOfInput()
        }
        let second = p[i + 1]
        guard second >= low && second <= high else { throw invalidUTF8(i) }
        for k in 2..<length where p[i + k] & 0xC0 != 0x80 { throw invalidUTF8(i) }
        i += length
    }

    private func loneSurrogate(_ offset: Int) -> JSONError {
        JSONError(offset: offset, reason: "lone surrogate in \\u escape")
    }

    private func invalidUTF8(_ i: Int) -> JSONError { JSONError(offset: i, reason: "invalid UTF-8") }
}

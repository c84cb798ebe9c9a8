/// Movement over a document the `Validator` has accepted. No grammar checks: a
/// validated value always ends before the buffer does, so each method only finds
/// where the next token is. `end` bounds the word-at-a-time loads.
struct ValidatedBytes {
    let p: UnsafePointer<UInt8>
    let end: Int
    /// See `ValidatedDocument.largeContainers`.
    let largeContainers: UnsafeBufferPointer<Int>

    init(_ buffer: UnsafeBufferPointer<UInt8>, largeContainers: UnsafeBufferPointer<Int>) {
        // A validated document is never empty, so the base address exists.
        p = buffer.baseAddress!
        end = buffer.count
        self.largeContainers = largeContainers
    }

    /// The end of the container opening at `open`, if it is a large one.
    @inline(__always)
    func knownEnd(ofContainerAt open: Int) -> Int? {
        guard !largeContainers.isEmpty else { return nil }
        var hint = 0
        return knownEnd(ofContainerAt: open, hint: &hint)
    }

    /// Like `knownEnd(ofContainerAt:)`, starting from `hint` (an entry number kept
    /// by an iterator): walking siblings in order, the next entry is at most a few
    /// steps ahead, so iteration costs O(1) per element.
    func knownEnd(ofContainerAt open: Int, hint: inout Int) -> Int? {
        let entries = largeContainers.count / 2
        var k = hint
        var steps = 0
        while k < entries && largeContainers[2 * k] < open && steps < 8 {
            k += 1
            steps += 1
        }
        if k >= entries || largeContainers[2 * k] < open || (k > 0 && largeContainers[2 * (k - 1)] >= open) {
            // Far from the hint (or behind it): binary search for the first entry >= open.
            var low = 0
            var high = entries
            while low < high {
                let mid = (low + high) / 2
                if largeContainers[2 * mid] < open { low = mid + 1 } else { high = mid }
            }
            k = low
        }
        hint = k
        guard k < entries, largeContainers[2 * k] == open else { return nil }
        hint = k + 1
        return largeContainers[2 * k + 1]
    }

    /// Past the value at `i`, using the index for large containers.
    @inline(__always)
    func skipValue(_ i: Int, hint: inout Int) -> Int {
        if p[i] | 0x20 == ASCII.openBrace, !largeContainers.isEmpty,
            let end = knownEnd(ofContainerAt: i, hint: &hint)
        {
            return end
        }
        return skipValue(i)
    }

    @inline(__always)
    func skipWhitespace(_ i: Int) -> Int {
        var i = i
        while ASCII.isWhitespace(p[i]) { i &+= 1 }
        return i
    }

    /// From the opening quote at `i` to just past the closing quote; also reports
    /// whether the string holds an escape (so key comparisons can stay bytewise).
    @inline(__always)
    func skipString(_ i: Int) -> (end: Int, escaped: Bool) {
        var i = i &+ 1
        var escaped = false
        while true {
            while i &+ 8 <= end {
                let mask = SWAR.quoteOrBackslash(SWAR.load(p, i))
                if mask != 0 {
                    i &+= SWAR.firstIndex(mask)
                    break
                }
                i &+= 8
            }
            let c = p[i]
            if c == ASCII.quote { return (i &+ 1, escaped) }
            if c == ASCII.backslash {
                // Skip the backslash and the escaped byte; \uXXXX digits need no care.
                escaped = true
                i &+= 2
            } else {
                i &+= 1
            }
        }
    }

    /// From the first byte of any value at `i` to just past its end.
    func skipValue(_ i: Int) -> Int {
        switch p[i] {
        case ASCII.quote:
            return skipString(i).end
        case ASCII.openBrace, ASCII.openBracket:
            return knownEnd(ofContainerAt: i) ?? skipContainerRest(i &+ 1)
        case ASCII.lowerT, ASCII.lowerN:
            return i &+ 4
        case ASCII.lowerF:
            return i &+ 5
        default:
            var i = i &+ 1
            while i < end && Self.isNumberByte(p[i]) { i &+= 1 }
            return i
        }
    }

    /// From anywhere inside the container opening at `open`, between tokens, to
    /// just past its closing bracket.
    func skipContainer(openingAt open: Int, from i: Int) -> Int {
        knownEnd(ofContainerAt: open) ?? skipContainerRest(i)
    }

    /// From anywhere inside a container, between tokens, to just past its closing
    /// bracket.
    func skipContainerRest(_ i: Int) -> Int {
        var i = i
        var depth = 1
        while true {
            let c = p[i]
            if c == ASCII.quote {
                i = skipString(i).end
                continue
            }
            // '[' 0x5B / '{' 0x7B and ']' 0x5D / '}' 0x7D differ only in bit 5.
            let folded = c | 0x20
            if folded == ASCII.openBrace {
                depth &+= 1
            } else if folded == ASCII.closeBrace {
                depth &-= 1
                if depth == 0 { return i &+ 1 }
            }
            i &+= 1
        }
    }

    // MARK: walking containers

    /// Position of the first member key / element after the opening bracket at `i`,
    /// or nil for an empty container.
    @inline(__always)
    func firstItem(_ i: Int) -> Int? {
        let j = skipWhitespace(i &+ 1)
        return p[j] | 0x20 == ASCII.closeBrace ? nil : j
    }

    /// After an item ending at `i`: the next item's position, or nil when the
    /// container closes (then `closeEnd` is just past the bracket).
    @inline(__always)
    func nextItem(_ i: Int) -> (next: Int?, closeEnd: Int) {
        let j = skipWhitespace(i)
        if p[j] == ASCII.comma { return (skipWhitespace(j &+ 1), 0) }
        return (nil, j &+ 1)
    }

    /// A member key at `i`: where its content is, whether it is escaped, and where
    /// the member's value starts.
    @inline(__always)
    func member(_ i: Int) -> (keyEnd: Int, escaped: Bool, value: Int) {
        let (keyEnd, escaped) = skipString(i)
        let colon = skipWhitespace(keyEnd)
        return (keyEnd, escaped, skipWhitespace(colon &+ 1))
    }

    /// Whether the key whose quotes span `start..<end` decodes to `wanted`.
    @inline(__always)
    func keyEquals(_ start: Int, _ end: Int, escaped: Bool, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = end &- start &- 2
        if !escaped {
            guard length == wanted.count else { return false }
            var k = 0
            while k < length {
                if p[start &+ 1 &+ k] != wanted[k] { return false }
                k &+= 1
            }
            return true
        }
        return StringDecoding.bytes(p, start &+ 1, end &- 1).elementsEqual(wanted)
    }

    static func isNumberByte(_ c: UInt8) -> Bool {
        ASCII.isDigit(c) || c == ASCII.dot || c == ASCII.minus || c == ASCII.plus || c | 0x20 == ASCII.lowerE
    }
}

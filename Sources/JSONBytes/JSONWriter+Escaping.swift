/// String escaping. Only what RFC 8259 requires is escaped (quote, backslash, C0
/// controls); non-ASCII text is kept as UTF-8. Escaped output is assembled in a
/// stack buffer and appended in chunks: a verbatim event embedded as `raw_log`
/// has a quote every few bytes, and one array append per escape would dominate.
extension JSONWriter {
    mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { appendQuoted($0) }
    }

    mutating func appendQuoted(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(ASCII.quote)
        guard let p = text.baseAddress else { return bytes.append(ASCII.quote) }
        let end = text.count
        let first = Self.nextEscape(p, 0, end)
        if first == end {
            bytes.append(contentsOf: text)
            return bytes.append(ASCII.quote)
        }
        bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: first))
        let capacity = 4096
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { chunk in
            let out = UnsafeMutableRawPointer(chunk.baseAddress!)
            var o = 0
            var i = first
            // A word at a time: store all 8 bytes, then keep only those before the
            // first byte that needs escaping and write its escape after them.
            while i &+ 8 <= end {
                if o &+ 16 > capacity {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: chunk.baseAddress, count: o))
                    o = 0
                }
                let word = SWAR.load(p, i)
                out.storeBytes(of: word.littleEndian, toByteOffset: o, as: UInt64.self)
                let mask = SWAR.needsEscape(word)
                if mask == 0 {
                    i &+= 8
                    o &+= 8
                    continue
                }
                let k = SWAR.firstIndex(mask)
                o &+= k
                i &+= k
                o &+= Self.writeEscape(p[i], to: (out + o).assumingMemoryBound(to: UInt8.self))
                i &+= 1
            }
            while i < end {
                if o &+ 6 > capacity {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: chunk.baseAddress, count: o))
                    o = 0
                }
                let c = p[i]
                if c < 0x20 || c == ASCII.quote || c == ASCII.backslash {
                    o &+= Self.writeEscape(c, to: (out + o).assumingMemoryBound(to: UInt8.self))
                } else {
                    out.storeBytes(of: c, toByteOffset: o, as: UInt8.self)
                    o &+= 1
                }
                i &+= 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: chunk.baseAddress, count: o))
        }
        bytes.append(ASCII.quote)
    }

    /// Whether a string with this UTF-8 needs escaping as a JSON string (a quote, a
    /// backslash or a control character); if not, its JSON text is the bytes in quotes.
    public static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = utf8.baseAddress else { return false }
        return nextEscape(p, 0, utf8.count) != utf8.count
    }

    /// Index of the next byte at or after `i` that needs escaping, or `end`.
    @inline(__always)
    private static func nextEscape(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var i = i
        while i &+ 8 <= end {
            let mask = SWAR.needsEscape(SWAR.load(p, i))
            if mask != 0 { return i &+ SWAR.firstIndex(mask) }
            i &+= 8
        }
        while i < end {
            let c = p[i]
            if c < 0x20 || c == ASCII.quote || c == ASCII.backslash { return i }
            i &+= 1
        }
        return end
    }

    /// Writes the escape for `c` (at most 6 bytes); returns its length.
    @inline(__always)
    private static func writeEscape(_ c: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = ASCII.backslash
        switch c {
        case ASCII.quote, ASCII.backslash: out[1] = c
        case 0x0A: out[1] = 0x6E  // n
        case 0x0D: out[1] = 0x72  // r
        case 0x09: out[1] = 0x74  // t
        case 0x08: out[1] = 0x62  // b
        case 0x0C: out[1] = 0x66  // f
        default:
            let hex: StaticString = "0123456789abcdef"
            out[1] = 0x75  // u
            out[2] = ASCII.zero
            out[3] = ASCII.zero
            out[4] = hex.utf8Start[Int(c >> 4)]
            out[5] = hex.utf8Start[Int(c & 0xF)]
            return 6
        }
        return 2
    }
}

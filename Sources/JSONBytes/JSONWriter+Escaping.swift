/// String escaping. Only what RFC 8259 requires is escaped (quote, backslash, C0
/// controls); non-ASCII text is kept as UTF-8, so most strings are one bulk copy.
extension JSONWriter {
    mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { appendQuoted($0) }
    }

    mutating func appendQuoted(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(ASCII.quote)
        guard let p = text.baseAddress else { return bytes.append(ASCII.quote) }
        let end = text.count
        var runStart = 0
        var i = 0
        while true {
            // Find the next byte that needs escaping, a word at a time.
            while i &+ 8 <= end {
                let mask = SWAR.needsEscape(SWAR.load(p, i))
                if mask != 0 {
                    i &+= SWAR.firstIndex(mask)
                    break
                }
                i &+= 8
            }
            // The tail shorter than a word, bytewise.
            while i < end && !Self.needsEscape(p[i]) { i &+= 1 }
            guard i < end else { break }
            appendRun(p, runStart, i)
            appendEscape(p[i])
            i &+= 1
            runStart = i
        }
        appendRun(p, runStart, end)
        bytes.append(ASCII.quote)
    }

    @inline(__always)
    private mutating func appendRun(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        if end > start { bytes.append(contentsOf: UnsafeBufferPointer(start: p + start, count: end &- start)) }
    }

    @inline(__always)
    private static func needsEscape(_ c: UInt8) -> Bool {
        c < 0x20 || c == ASCII.quote || c == ASCII.backslash
    }

    private mutating func appendEscape(_ c: UInt8) {
        let short: UInt8
        switch c {
        case ASCII.quote: short = ASCII.quote
        case ASCII.backslash: short = ASCII.backslash
        case 0x0A: short = 0x6E  // n
        case 0x0D: short = 0x72  // r
        case 0x09: short = 0x74  // t
        case 0x08: short = 0x62  // b
        case 0x0C: short = 0x66  // f
        default:
            let hex: StaticString = "0123456789abcdef"
            let digits = hex.utf8Start
            bytes.append(ASCII.backslash)
            bytes.append(0x75)  // u
            bytes.append(ASCII.zero)
            bytes.append(ASCII.zero)
            bytes.append(digits[Int(c >> 4)])
            bytes.append(digits[Int(c & 0xF)])
            return
        }
        bytes.append(ASCII.backslash)
        bytes.append(short)
    }
}

/// Decodes the content of an already validated JSON string (the bytes between its
/// quotes). Validation happened earlier, so escapes are known to be well formed.
enum StringDecoding {
    /// Index of the first backslash in `p[start..<end]`, or nil.
    static func firstBackslash(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        while i &+ 8 <= end {
            let mask = SWAR.equalMask(SWAR.load(p, i), ASCII.backslash)
            if mask != 0 { return i &+ SWAR.firstIndex(mask) }
            i &+= 8
        }
        while i < end {
            if p[i] == ASCII.backslash { return i }
            i &+= 1
        }
        return nil
    }

    /// The decoded text as a String. Unescaped strings (nearly all of them in audit
    /// logs) are a single copy.
    static func string(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String {
        guard let firstEscape = firstBackslash(p, start, end) else {
            return String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        }
        // Escapes only ever shrink the text, so the raw length is enough room.
        return String(unsafeUninitializedCapacity: end - start) { out in
            decode(p, start, end, firstEscape: firstEscape, into: out.baseAddress!)
        }
    }

    /// The decoded text as UTF-8 bytes.
    static func bytes(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> [UInt8] {
        let firstEscape = firstBackslash(p, start, end) ?? end
        return [UInt8](unsafeUninitializedCapacity: end - start) { out, written in
            written = decode(p, start, end, firstEscape: firstEscape, into: out.baseAddress!)
        }
    }

    /// Writes the decoded bytes of `p[start..<end]` to `out`; returns how many.
    /// `out` must have room for `end - start` bytes.
    static func decode(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, firstEscape: Int,
        into out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var o = 0
        var runStart = start
        var i = firstEscape
        while i < end {
            guard p[i] == ASCII.backslash else {
                i &+= 1
                continue
            }
            (out + o).update(from: p + runStart, count: i - runStart)
            o &+= i - runStart
            let kind = p[i + 1]
            i &+= 2
            switch kind {
            case 0x62: out[o] = 0x08; o &+= 1
            case 0x66: out[o] = 0x0C; o &+= 1
            case 0x6E: out[o] = 0x0A; o &+= 1
            case 0x72: out[o] = 0x0D; o &+= 1
            case 0x74: out[o] = 0x09; o &+= 1
            case 0x75:
                var scalar = hex4(p, i)
                i &+= 4
                if scalar & 0xFC00 == 0xD800 {
                    // Validated: a low surrogate escape follows.
                    let low = hex4(p, i &+ 2)
                    scalar = 0x10000 &+ ((scalar &- 0xD800) << 10) &+ (low &- 0xDC00)
                    i &+= 6
                }
                o &+= encodeUTF8(scalar, into: out + o)
            default:  // \" \\ \/
                out[o] = kind; o &+= 1
            }
            runStart = i
        }
        (out + o).update(from: p + runStart, count: end - runStart)
        return o &+ (end - runStart)
    }

    @inline(__always)
    private static func hex4(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt32 {
        var unit: UInt32 = 0
        for k in 0..<4 { unit = unit << 4 | (ASCII.hexValue(p[i &+ k]) ?? 0) }
        return unit
    }

    /// Writes `scalar` as UTF-8; returns the byte count.
    static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}

/// Eight-bytes-at-a-time tests ("SIMD within a register"). Strings are most of the
/// bytes in an audit-log page, so finding their end a word at a time is what makes
/// validation and skipping fast. Every test is exact for "is there such a byte",
/// and the lowest flagged byte is always a true hit, so callers may jump to it.
enum SWAR {
    @inline(__always) static var ones: UInt64 { 0x0101_0101_0101_0101 }
    @inline(__always) static var highs: UInt64 { 0x8080_8080_8080_8080 }

    /// Loads 8 bytes so that byte `k` of memory is bits `8k..<8k+8` on any endianness.
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
    }

    /// High bit set in every byte of `w` equal to `byte` (and none below the first hit).
    @inline(__always)
    static func equalMask(_ w: UInt64, _ byte: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs
    }

    /// Bytes a string scan must stop at: quote or backslash.
    @inline(__always)
    static func quoteOrBackslash(_ w: UInt64) -> UInt64 {
        equalMask(w, ASCII.quote) | equalMask(w, ASCII.backslash)
    }

    /// Bytes a validating string scan must look at: quote, backslash, a control
    /// character (< 0x20) or any non-ASCII byte (for UTF-8 checks).
    @inline(__always)
    static func stringAttention(_ w: UInt64) -> UInt64 {
        let control = (w &- ones &* 0x20) & ~w & highs
        return quoteOrBackslash(w) | control | (w & highs)
    }

    /// Bytes the writer must escape: quote, backslash, control characters.
    @inline(__always)
    static func needsEscape(_ w: UInt64) -> UInt64 {
        let control = (w &- ones &* 0x20) & ~w & highs
        return quoteOrBackslash(w) | control
    }

    /// Offset of the lowest flagged byte in a nonzero mask.
    @inline(__always)
    static func firstIndex(_ mask: UInt64) -> Int { mask.trailingZeroBitCount &>> 3 }
}

extension SWAR {
    /// The first `min(length, 8)` bytes at `start` as a word, zero-padded: with the
    /// length, a one-compare filter for "could these two keys be equal".
    @inline(__always)
    static func prefix(_ p: UnsafePointer<UInt8>, _ start: Int, _ length: Int, end: Int) -> UInt64 {
        if length >= 8 { return load(p, start) }
        if start &+ 8 <= end {
            return load(p, start) & ((1 &<< UInt64(length &* 8)) &- 1)
        }
        var word: UInt64 = 0
        for k in 0..<length { word |= UInt64(p[start &+ k]) &<< UInt64(k &* 8) }
        return word
    }
}

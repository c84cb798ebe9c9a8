/// The bytes the grammar branches on. Computed properties rather than stored
/// statics so they fold to immediates in every hot loop.
enum ASCII {
    static var quote: UInt8 { 0x22 }
    static var backslash: UInt8 { 0x5C }
    static var slash: UInt8 { 0x2F }
    static var comma: UInt8 { 0x2C }
    static var colon: UInt8 { 0x3A }
    static var openBrace: UInt8 { 0x7B }
    static var closeBrace: UInt8 { 0x7D }
    static var openBracket: UInt8 { 0x5B }
    static var closeBracket: UInt8 { 0x5D }
    static var minus: UInt8 { 0x2D }
    static var plus: UInt8 { 0x2B }
    static var dot: UInt8 { 0x2E }
    static var zero: UInt8 { 0x30 }
    static var one: UInt8 { 0x31 }
    static var nine: UInt8 { 0x39 }
    static var lowerE: UInt8 { 0x65 }
    static var upperE: UInt8 { 0x45 }
    static var lowerT: UInt8 { 0x74 }
    static var lowerF: UInt8 { 0x66 }
    static var lowerN: UInt8 { 0x6E }
    static var space: UInt8 { 0x20 }
    static var tab: UInt8 { 0x09 }
    static var lineFeed: UInt8 { 0x0A }
    static var carriageReturn: UInt8 { 0x0D }

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == space || c == lineFeed || c == carriageReturn || c == tab
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- zero < 10 }

    /// Value of one hex digit, or nil.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c &- 0x30)
        case 0x41...0x46: return UInt32(c &- 0x41 &+ 10)
        case 0x61...0x66: return UInt32(c &- 0x61 &+ 10)
        default: return nil
        }
    }
}

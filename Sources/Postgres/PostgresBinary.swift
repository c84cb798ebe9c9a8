/// Decoders for PostgreSQL's binary result format (network byte order). Binary
/// results spare the server its text output functions (timestamps, integers, booleans).
public enum PostgresBinary {
    /// Microseconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01 UTC.
    static let epochOffsetMicros: Int64 = 946_684_800_000_000

    /// int2, int4 or int8, chosen by the value's length.
    public static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count == 2 || bytes.count == 4 || bytes.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        // Sign-extend from the value's width.
        let shift = UInt64(64 - 8 * bytes.count)
        return Int(Int64(bitPattern: value << shift) >> Int64(shift))
    }

    /// timestamptz / timestamp: microseconds since 2000-01-01, as microseconds since 1970.
    public static func timestampMicros(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count == 8, let micros = integer(bytes) else { return nil }
        return Int64(micros) &+ epochOffsetMicros
    }
}

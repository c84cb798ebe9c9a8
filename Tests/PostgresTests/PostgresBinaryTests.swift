import Testing
import Postgres

/// The binary result decoders, against byte strings as PostgreSQL's send
/// functions produce them (int2send/int4send/int8send, timestamptz_send, uuid_send).
@Suite struct PostgresBinaryTests {
    private func decode<T>(_ bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        bytes.withUnsafeBufferPointer(body)
    }

    @Test(arguments: [
        ([0x00, 0x2A], 42),
        ([0xFF, 0xFE], -2),
        ([0x00, 0x00, 0x05, 0xA0], 1440),
        ([0xFF, 0xFF, 0xFF, 0xFF], -1),
        ([0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], Int.max),
        ([0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], Int.min),
    ] as [([UInt8], Int)])
    func integers(bytes: [UInt8], value: Int) {
        #expect(decode(bytes, PostgresBinary.integer) == value)
    }

    @Test func integersOfOtherWidthsAreRejected() {
        #expect(decode([], PostgresBinary.integer) == nil)
        #expect(decode([1, 2, 3], PostgresBinary.integer) == nil)
    }

    @Test func timestampsCountFromTheYear2000() {
        // SELECT timestamptz_send('2026-11-27 00:06:08.123456+00') = \x00030435987b3e40
        let bytes: [UInt8] = [0x00, 0x03, 0x04, 0x35, 0x98, 0x7b, 0x3e, 0x40]
        #expect(decode(bytes, PostgresBinary.timestampMicros) == 1_795_737_968_123_456)
        #expect(decode([0, 0, 0, 0, 0, 0, 0, 0], PostgresBinary.timestampMicros) == 946_684_800_000_000)
        #expect(decode([0, 0, 0, 1], PostgresBinary.timestampMicros) == nil)
    }
}

import Testing
import UTCTime

@Suite struct UTCTimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-27T00:06:08Z", Int64(1_795_737_968_000_000)),
        ("2026-11-27T00:06:08.5Z", Int64(1_795_737_968_500_000)),
        ("2026-11-27T00:06:08.1234567Z", Int64(1_795_737_968_123_456)),
        ("2026-11-27T02:06:08+02:00", Int64(1_795_737_968_000_000)),
        ("2026-11-26T23:06:08-01:00", Int64(1_795_737_968_000_000)),
        ("2026-11-27 00:06:08.25+00", Int64(1_795_737_968_250_000)),
        ("2000-02-29T12:00:00Z", Int64(951_825_600_000_000)),
        ("1969-12-31T23:59:59.5Z", Int64(-500_000)),
    ])
    func parses(text: String, micros: Int64) {
        #expect(UTCTimestamp(rfc3339: text)?.microseconds == micros)
    }

    @Test(arguments: ["", "2026-11-27", "2026-11-27T00:06:08", "2026-13-01T00:00:00Z", "2026-11-27T00:06:08.Z",
                      "2026-11-27T00:06:08Zjunk", "2026/11/27T00:06:08Z", "2026-11-27T25:00:00Z", "2026-11-27T00:06:08+0"])
    func rejects(text: String) {
        #expect(UTCTimestamp(rfc3339: text) == nil)
    }

    @Test func formatsAndRoundTrips() {
        let t = UTCTimestamp(microseconds: 1_795_737_968_123_456)
        #expect(t.rfc3339 == "2026-11-27T00:06:08.123456Z")
        #expect(t.format(fractionDigits: 3) == "2026-11-27T00:06:08.123Z")
        #expect(t.format(fractionDigits: 0) == "2026-11-27T00:06:08Z")
        #expect(UTCTimestamp(seconds: 0).rfc3339 == "1970-01-01T00:00:00Z")
        #expect(UTCTimestamp(microseconds: -500_000).rfc3339 == "1969-12-31T23:59:59.500000Z")
        // Every day across four centuries survives a round trip.
        var day: Int64 = -146_097 * 2
        while day < 146_097 * 2 {
            let stamp = UTCTimestamp(seconds: day * 86_400 + 3_723)
            #expect(UTCTimestamp(rfc3339: stamp.rfc3339) == stamp)
            day += 997
        }
    }

    @Test(arguments: [Int64(0), 1_795_737_968_000_000, 1_795_737_968_123_456, -500_000])
    func formatsIntoABufferAsRFC3339Does(microseconds: Int64) {
        let stamp = UTCTimestamp(microseconds: microseconds)
        #expect(stamp.withRFC3339 { String(decoding: $0, as: UTF8.self) } == stamp.rfc3339)
    }
}

internal import Glibc

/// An instant as whole microseconds since the Unix epoch, UTC. Parsing and
/// formatting are hand-written because they run once per event on the poller's
/// hot path, where Foundation's date formatters cost more than the rest of the work.
public struct UTCTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(seconds: Int64) { microseconds = seconds * 1_000_000 }

    public static func now() -> UTCTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UTCTimestamp(microseconds: Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1000)
    }

    public var seconds: Int64 { microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000 }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.microseconds < rhs.microseconds }

    public func adding(seconds: Int64) -> UTCTimestamp { UTCTimestamp(microseconds: microseconds + seconds * 1_000_000) }
    public func adding(minutes: Int) -> UTCTimestamp { adding(seconds: Int64(minutes) * 60) }

    public var description: String { rfc3339 }

    /// RFC 3339 in UTC with microseconds when there are any: `2026-11-27T00:06:08.123456Z`.
    public var rfc3339: String { format(fractionDigits: naturalFractionDigits) }

    /// RFC 3339 in UTC with exactly `fractionDigits` (0, 3 or 6) fraction digits.
    public func format(fractionDigits: Int) -> String {
        String(unsafeUninitializedCapacity: Self.maxFormattedLength) { write(fractionDigits: fractionDigits, into: $0) }
    }

    /// Calls `body` with the `rfc3339` text as UTF-8 in a stack buffer: for writers that
    /// copy it into their own bytes (one per event), no String is built.
    public func withRFC3339<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxFormattedLength) { buffer in
            let count = write(fractionDigits: naturalFractionDigits, into: buffer)
            return try body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes the `rfc3339` text as UTF-8 at `buffer`, which has room for
    /// ``maxRFC3339Length`` bytes; returns its length. Not generic, so a caller in
    /// another module pays no closure or metadata cost (once per event on the hot path).
    public func writeRFC3339(into buffer: UnsafeMutablePointer<UInt8>) -> Int {
        write(fractionDigits: naturalFractionDigits,
              into: UnsafeMutableBufferPointer(start: buffer, count: Self.maxFormattedLength))
    }

    /// The longest `rfc3339` text, in bytes.
    public static var maxRFC3339Length: Int { maxFormattedLength }

    private var naturalFractionDigits: Int { microseconds % 1_000_000 == 0 ? 0 : 6 }
    private static let maxFormattedLength = 27

    /// Writes the RFC 3339 text into `buffer` (27 bytes at most); returns its length.
    /// One fixed-size buffer, no per-field arrays: this runs for every timestamp of every row.
    private func write(fractionDigits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let secs = seconds
        let micros = Int(microseconds - secs * 1_000_000)
        var days = secs / 86_400
        var rest = secs % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let (year, month, day) = CivilDate.civil(fromDays: Int(days))
        var index = 0
        func put(_ value: Int, _ width: Int) {
            var v = value
            var position = index + width - 1
            while position >= index {
                buffer[position] = UInt8(48 + v % 10)
                v /= 10
                position -= 1
            }
            index += width
        }
        func put(byte: UInt8) {
            buffer[index] = byte
            index += 1
        }
        put(year, 4); put(byte: 45); put(month, 2); put(byte: 45); put(day, 2); put(byte: 84)
        put(Int(rest / 3600), 2); put(byte: 58); put(Int(rest % 3600 / 60), 2); put(byte: 58); put(Int(rest % 60), 2)
        if fractionDigits > 0 {
            put(byte: 46)
            var fraction = micros
            for _ in fractionDigits..<6 { fraction /= 10 }
            put(fraction, fractionDigits)
        }
        put(byte: 90)
        return index
    }

    /// Parses RFC 3339 (`T` or space separator, optional fraction of any length,
    /// `Z` or `±HH:MM`), and PostgreSQL's `+00` offset form. Nil on anything else.
    public init?(rfc3339 text: String) {
        var text = text
        guard let value = text.withUTF8({ UTCTimestamp(utf8: $0) }) else { return nil }
        self = value
    }

    /// The same, over raw bytes (no String allocation).
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        guard count >= 19 else { return nil }
        func digits(_ start: Int, _ width: Int) -> Int? {
            guard start + width <= count else { return nil }
            var value = 0
            for index in start..<(start + width) {
                let c = bytes[index]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == 45, let month = digits(5, 2), bytes[7] == 45,
              let day = digits(8, 2), bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
              let hour = digits(11, 2), bytes[13] == 58, let minute = digits(14, 2), bytes[16] == 58,
              let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var micros = 0
        if index < count, bytes[index] == 46 {
            index += 1
            var scale = 100_000
            let start = index
            while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                micros += Int(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetSeconds = 0
        guard index < count else { return nil }
        switch bytes[index] {
        case 90, 122:  // Z z
            guard index == count - 1 else { return nil }
        case 43, 45:  // + -
            let sign = bytes[index] == 45 ? -1 : 1
            guard let hours = digits(index + 1, 2) else { return nil }
            var minutes = 0
            if count - index == 6, bytes[index + 3] == 58, let m = digits(index + 4, 2) { minutes = m }
            else if count - index != 3 { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        default:
            return nil
        }
        let days = CivilDate.days(fromYear: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        microseconds = seconds * 1_000_000 + Int64(micros)
    }
}

/// Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
enum CivilDate {
    static func days(fromYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

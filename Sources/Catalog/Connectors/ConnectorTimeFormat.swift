public import UTCTime

/// How an API writes times: in query parameters (the window) and in records.
public enum TimeFormat: String, Sendable, CaseIterable {
    /// `2026-12-04T10:00:00.000Z` (always milliseconds; Okta, Slack's docs examples).
    case rfc3339Millis = "rfc3339_millis"
    /// `2026-12-04T10:00:00Z`, fractions only when non-zero (Google).
    case rfc3339
    /// Unix seconds as a number (Slack `oldest`/`latest`, `date_create`).
    case unixSeconds = "unix_seconds"
    /// Unix milliseconds as a number.
    case unixMillis = "unix_millis"
    /// A SOQL datetime literal, `2026-12-04T10:00:00Z` (seconds; Salesforce). Records answer
    /// `2026-12-04T10:00:00.000+0000`, which `parse` reads.
    case soql

    /// How finely a window bound is written: `format` rounds down to it, so a query from
    /// `start` reads from the start of its second (or millisecond).
    public var resolutionMicroseconds: Int64 {
        switch self {
        case .rfc3339: 1
        case .rfc3339Millis, .unixMillis: 1000
        case .unixSeconds, .soql: 1_000_000
        }
    }

    /// The window bound as the API wants it in a query parameter.
    public func format(_ time: UTCTimestamp) -> String {
        switch self {
        case .rfc3339Millis: time.format(fractionDigits: 3)
        case .rfc3339: time.rfc3339
        case .unixSeconds: String(time.seconds)
        case .unixMillis: String(time.microseconds >= 0 ? time.microseconds / 1000 : (time.microseconds - 999) / 1000)
        case .soql: time.format(fractionDigits: 0)
        }
    }

    /// A record's time written as text (a JSON string, or a number's digits).
    public func parse(_ text: String) -> UTCTimestamp? {
        switch self {
        case .rfc3339Millis, .rfc3339, .soql:
            return UTCTimestamp(rfc3339: Self.withColonInOffset(text))
        case .unixSeconds:
            return Self.decimal(text, scale: 1_000_000)
        case .unixMillis:
            return Self.decimal(text, scale: 1_000)
        }
    }

    /// `+0000` → `+00:00` (Salesforce writes offsets without the colon RFC 3339 requires).
    static func withColonInOffset(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > 5 else { return text }
        let sign = bytes[bytes.count - 5]
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
              bytes[(bytes.count - 4)...].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return text }
        return String(text.dropLast(2)) + ":" + String(text.suffix(2))
    }

    /// `1700000000` or `1700000000.123456` (Slack writes some times with fractions) times `scale` µs.
    static func decimal(_ text: String, scale: Int64) -> UTCTimestamp? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole < 100_000_000_000_000 else { return nil }
        var micros = whole * scale
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
            // Only what scale allows below the unit: seconds keep 6 digits, milliseconds 3.
            let keep = scale == 1_000_000 ? 6 : 3
            var padded = String(digits.prefix(keep))
            while padded.count < keep { padded += "0" }
            micros += Int64(padded) ?? 0
        }
        return UTCTimestamp(microseconds: micros)
    }
}

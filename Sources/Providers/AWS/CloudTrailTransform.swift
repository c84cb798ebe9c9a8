internal import JSONBytes
internal import UTCTime

/// A LookupEvents event → normalized fields. The CloudTrail record itself sits in
/// `CloudTrailEvent` as a JSON document inside a JSON string: it is decoded once
/// and scanned with the same zero-copy selector as the outer object.
///
/// `raw` stays the LookupEvents event object byte for byte (the README's "original
/// record, untouched"); the CloudTrail record travels inside it, in `CloudTrailEvent`.
enum CloudTrailTransform {
    private static let outerFields = JSONPathSelector([
        ["EventId"], ["EventTime"], ["CloudTrailEvent"], ["EventName"], ["EventSource"],
    ])
    private static let recordFields = JSONPathSelector([
        ["userIdentity", "arn"], ["userIdentity", "userName"], ["eventName"], ["errorCode"],
        ["sourceIPAddress"], ["eventSource"], ["eventTime"], ["eventID"], ["responseElements", "ConsoleLogin"],
    ])

    /// The event, or nil for one without an id or a time (it could be neither
    /// de-duplicated nor placed in a window).
    static func event(_ event: RawJSON, _ stream: StreamSpec) -> ProviderEvent? {
        let outer = outerFields.select(in: event)
        let record = outer[2]?.stringValue.flatMap { try? RawJSON(validating: $0) }.flatMap { $0.kind == .object ? $0 : nil }
        let inner = record.map { recordFields.select(in: $0) } ?? [RawJSON?](repeating: nil, count: 9)
        guard let id = nonEmpty(outer[0]?.stringValue) ?? nonEmpty(inner[7]?.stringValue),
              let time = outer[1].flatMap(epochTime) ?? inner[6]?.timestampValue
        else { return nil }
        let fields = EventFields(
            user: RawJSON.firstString(inner[0], inner[1]),
            activity: RawJSON.firstString(inner[2], outer[3]),
            result: record.map { _ in isFailure(errorCode: inner[3], consoleLogin: inner[8]) ? .failure : .success },
            sourceIP: inner[4],
            application: RawJSON.firstString(inner[5], outer[4]))
        return ProviderEvent(id: id, time: time, logType: stream.logType, fields: fields, raw: event)
    }

    /// `EventTime` is epoch seconds, possibly fractional and in exponent form
    /// (`1.700000123E9`, as AWS's Java services print doubles); an RFC 3339 string is accepted too.
    static func epochTime(_ value: RawJSON) -> UTCTimestamp? {
        switch value.kind {
        case .number:
            guard let seconds = value.doubleValue, seconds.isFinite, (0...1e11).contains(seconds) else { return nil }
            return UTCTimestamp(microseconds: Int64((seconds * 1_000_000).rounded()))
        case .string:
            return value.timestampValue
        default:
            return nil
        }
    }

    /// A call failed when the record carries an `errorCode` (AccessDenied, Client.UnauthorizedOperation, …).
    /// A failed console sign-in carries none: CloudTrail records it as `errorMessage` plus
    /// `responseElements.ConsoleLogin: "Failure"`, and a SIEM must not see that as a success.
    private static func isFailure(errorCode: RawJSON?, consoleLogin: RawJSON?) -> Bool {
        if consoleLogin?.stringEquals("Failure") == true { return true }
        guard let errorCode, !errorCode.isNull else { return false }
        return errorCode.kind != .string || errorCode.range.count > 2
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

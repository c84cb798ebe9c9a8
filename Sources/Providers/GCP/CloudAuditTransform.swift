internal import JSONBytes

/// Cloud Logging `LogEntry` with an `AuditLog` protoPayload → normalized fields.
/// The mapping is documented in the README; absent fields are null.
enum CloudAuditTransform {
    private static let fields = JSONPathSelector([
        ["insertId"], ["logName"], ["timestamp"], ["protoPayload"],
        ["protoPayload", "authenticationInfo", "principalEmail"], ["protoPayload", "methodName"],
        ["protoPayload", "status", "code"], ["protoPayload", "requestMetadata", "callerIp"],
        ["protoPayload", "serviceName"],
    ])

    /// `insertId` is unique only within a log, so the event id is `<logName>#<insertId>`
    /// (a log name never contains `#`). Entries without either, or without a
    /// timestamp, are skipped.
    static func logEntry(_ record: RawJSON, _ stream: StreamSpec) -> ProviderEvent? {
        let f = fields.select(in: record)
        guard let insertID = f[0]?.stringValue, !insertID.isEmpty,
              let logName = f[1]?.stringValue, !logName.isEmpty,
              let time = f[2]?.timestampValue
        else { return nil }
        let fields = EventFields(user: f[4], activity: f[5], result: result(payload: f[3], code: f[6]),
                                 sourceIP: f[7], application: f[8])
        return ProviderEvent(id: "\(logName)#\(insertID)", time: time, logType: stream.logType,
                             fields: fields, raw: record)
    }

    /// `status` is a google.rpc.Status: code 0 (OK), or absent as proto3 JSON omits
    /// defaults, is success; any other code is a failure. An entry that is not an
    /// audit record (no protoPayload) says nothing.
    static func result(payload: RawJSON?, code: RawJSON?) -> EventResult? {
        guard let payload, payload.kind == .object else { return nil }
        guard let code, !code.isNull else { return .success }
        guard let value = code.intValue else { return nil }
        return value == 0 ? .success : .failure
    }
}

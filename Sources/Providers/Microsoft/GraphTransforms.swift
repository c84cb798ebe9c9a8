package import JSONBytes

/// Graph records → normalized fields. The mapping per log type is documented in
/// the README; a field the record does not carry is null, never invented.
package enum GraphTransforms {
    private static let auditFields = JSONPathSelector([
        ["id"], ["activityDateTime"], ["activityDisplayName"], ["result"],
        ["initiatedBy", "user", "userPrincipalName"], ["initiatedBy", "user", "ipAddress"],
        ["initiatedBy", "app", "displayName"], ["initiatedBy", "app", "servicePrincipalName"], ["loggedByService"],
    ])

    package static func directoryAudit(_ record: RawJSON, _ stream: StreamSpec) -> ProviderEvent? {
        // Once per event on the hot path: the answers stay ranges until read (no array).
        auditFields.withSelection(in: record) { directoryAudit(record, stream, $0) }
    }

    private static func directoryAudit(_ record: RawJSON, _ stream: StreamSpec,
                                       _ f: JSONPathSelector.Selection) -> ProviderEvent? {
        guard let id = f[0]?.stringValue, let time = f[1]?.timestampValue else { return nil }
        let result: EventResult? = switch f[3] {
        case let value? where value.stringEquals("success"): .success
        case let value? where value.stringEquals("failure") || value.stringEquals("timeout"): .failure
        default: nil
        }
        let fields = EventFields(
            user: RawJSON.firstString(f[4], f[7], f[6]),
            activity: f[2], result: result, sourceIP: f[5],
            application: RawJSON.firstString(f[6], f[8]))
        return ProviderEvent(id: id, time: time, logType: stream.logType, fields: fields, raw: record)
    }

    private static let signInFields = JSONPathSelector([
        ["id"], ["createdDateTime"], ["userPrincipalName"], ["ipAddress"], ["appDisplayName"],
        ["status", "errorCode"],
    ])
    private static let signInActivity = try! RawJSON(validating: "\"sign-in\"")

    static func signIn(_ record: RawJSON, _ stream: StreamSpec) -> ProviderEvent? {
        let f = signInFields.select(in: record)
        guard let id = f[0]?.stringValue, let time = f[1]?.timestampValue else { return nil }
        let result: EventResult? = f[5]?.intValue.map { $0 == 0 ? .success : .failure }
        let fields = EventFields(user: f[2], activity: signInActivity, result: result, sourceIP: f[3], application: f[4])
        return ProviderEvent(id: id, time: time, logType: stream.logType, fields: fields, raw: record)
    }
}

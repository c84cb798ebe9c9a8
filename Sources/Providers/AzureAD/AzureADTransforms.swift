internal import JSONBytes
internal import UTCTime

/// Entra ID risk detections, provisioning records and Azure activity-log events →
/// normalized fields. The mapping is documented in the README; a field the record
/// does not carry is null, never invented.
enum AzureADTransforms {
    private static let riskFields = JSONPathSelector([
        ["id"], ["lastUpdatedDateTime"], ["userPrincipalName"], ["riskEventType"], ["ipAddress"], ["source"],
        ["detectedDateTime"],
    ])

    /// A detection is updated in place (state, level) and Graph shows only its latest
    /// version. Every version is its own event, keyed `<id>@<lastUpdatedDateTime>`: an
    /// update reaches Kafka as a new message, a re-read of the same version does not.
    /// The cursor follows `lastUpdatedDateTime` (with the detection time, a late update
    /// of an old detection would fall behind the overlap and be re-sent on every poll);
    /// the normalized `timestamp` is `detectedDateTime`, when the risk happened.
    static func riskDetection(_ record: RawJSON, _ stream: StreamSpec) -> ProviderEvent? {
        let f = riskFields.select(in: record)
        guard let id = f[0]?.stringValue, !id.isEmpty, let updated = f[1]?.timestampValue else { return nil }
        // riskState is not an outcome (atRisk, dismissed, remediated…): no result.
        let fields = EventFields(user: f[2], activity: f[3], result: nil, sourceIP: f[4], application: f[5])
        // The cursor follows the update time; analysts see when the risk was detected.
        var event = ProviderEvent(id: "\(id)@\(updated.rfc3339)", time: updated, logType: stream.logType,
                                  fields: fields, raw: record)
        event.reportedTime = f[6]?.timestampValue
        return event
    }

    private static let provisioningFields = JSONPathSelector([
        ["id"], ["activityDateTime"], ["sourceIdentity", "displayName"], ["targetIdentity", "displayName"],
        ["provisioningAction"], ["provisioningStatusInfo", "status"], ["servicePrincipal", "displayName"],
    ])

    /// The initiator is almost always "Azure AD Provisioning Service", so `user` is the
    /// identity provisioned (what an analyst searches for); the initiator stays in raw_log.
    static func provisioning(_ record: RawJSON, _ stream: StreamSpec) -> ProviderEvent? {
        let f = provisioningFields.select(in: record)
        guard let id = f[0]?.stringValue, !id.isEmpty, let time = f[1]?.timestampValue else { return nil }
        // provisioningResult: success, failure, skipped, warning; only the first two are outcomes.
        let result: EventResult? = switch f[5] {
        case let value? where value.stringEquals("success"): .success
        case let value? where value.stringEquals("failure"): .failure
        default: nil
        }
        let fields = EventFields(user: RawJSON.firstString(f[2], f[3]), activity: f[4], result: result,
                                 sourceIP: nil, application: f[6])
        return ProviderEvent(id: id, time: time, logType: stream.logType, fields: fields, raw: record)
    }

    private static let activityFields = JSONPathSelector([
        ["eventDataId"], ["eventTimestamp"], ["caller"], ["operationName", "value"], ["operationName", "localizedValue"],
        ["status", "value"], ["httpRequest", "clientIpAddress"], ["resourceProviderName", "value"],
    ])

    /// Azure Monitor EventData. ARM writes Started/Accepted events before the final
    /// Succeeded/Failed one; only the final ones have an outcome.
    static func activityLog(_ record: RawJSON, _ stream: StreamSpec) -> ProviderEvent? {
        let f = activityFields.select(in: record)
        guard let id = f[0]?.stringValue, !id.isEmpty, let time = f[1]?.timestampValue else { return nil }
        let result: EventResult? = switch f[5] {
        case let value? where value.stringEquals("Succeeded"): .success
        case let value? where value.stringEquals("Failed"): .failure
        default: nil
        }
        let fields = EventFields(user: f[2], activity: RawJSON.firstString(f[3], f[4]), result: result,
                                 sourceIP: f[6], application: f[7])
        return ProviderEvent(id: id, time: time, logType: stream.logType, fields: fields, raw: record)
    }
}

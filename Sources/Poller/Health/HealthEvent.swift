internal import Providers
internal import JSONBytes
internal import UTCTime

/// A transition as a normalized event (schema version 1, `log_type: collector_health`) on
/// the events' own topic, so the SIEM that reads the events also hears when they stop.
/// The key is stable while the transition is not recorded: a run that published it but
/// could not record it publishes it again under the same key, for the SIEM to de-duplicate.
enum HealthEvent {
    static let logType = "collector_health"

    /// - Parameter priorPoll: the source's last recorded poll before this run (part of the key).
    static func make(_ transition: HealthTransition, origin: EventOrigin, sourceName: String,
                     priorPoll: UTCTimestamp?, now: UTCTimestamp) -> ProviderEvent? {
        let subject = transition.stream ?? "source"
        let id = "\(logType):\(origin.sourceID):\(subject):\(transition.activity):\(priorPoll?.rfc3339 ?? "never")"
        var writer = JSONWriter(reservingCapacity: 512)
        writer.beginObject()
        writer.key(ascii: "activity"); writer.string(transition.activity)
        writer.key(ascii: "source_name"); writer.string(sourceName)
        writer.key(ascii: "stream"); writer.string(transition.stream)
        writer.key(ascii: "state"); writer.string(transition.state)
        writer.key(ascii: "reason"); writer.string(transition.reason)
        writer.key(ascii: "error_kind"); writer.string(transition.errorKind)
        writer.key(ascii: "error_count"); writer.int(transition.errorCount)
        writer.key(ascii: "collector"); writer.string("siem-poller")
        writer.endObject()
        // Our own writer's output; a failure here would be a bug, and the transition is then
        // simply announced by the next run.
        guard let raw = try? RawJSON(validating: writer.bytes) else { return nil }
        var event = ProviderEvent(
            id: id, time: now, logType: logType,
            fields: EventFields(activity: raw["activity"], result: transition.failure ? .failure : .success,
                                application: raw["collector"]),
            raw: raw)
        event.reportedTime = now
        return event
    }
}

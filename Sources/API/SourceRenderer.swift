internal import JSONBytes
internal import SourceModel
internal import Storage

/// The JSON shape of a source in every response. Credentials appear only as
/// "set", a fingerprint and the sealing key id, never as values.
enum SourceRenderer {
    static func write(_ source: CloudSource, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("source_id"); writer.string(source.sourceID)
        writer.key("tenant_id"); writer.string(source.tenantID)
        writer.key("platform"); writer.string(source.platform.rawValue)
        writer.key("source_name"); writer.string(source.sourceName)
        writer.key("polling_interval_minutes"); writer.int(source.pollingIntervalMinutes)
        writer.key("is_enabled"); writer.bool(source.isEnabled)
        writer.key("last_polled_timestamp"); writer.string(source.lastPolledTimestamp)
        writer.key("last_success_timestamp"); writer.string(source.lastSuccessTimestamp)
        writer.key("next_poll_time"); writer.string(source.nextPollTime)
        writer.key("error_count"); writer.int(source.errorCount)
        writer.key("last_error"); writer.string(source.lastError)
        writer.key("disabled_reason"); writer.string(source.disabledReason)
        writer.key("settings"); writer.raw(source.settingsJSON.utf8)
        writer.key("cursor"); writer.raw(source.cursorJSON.utf8)
        writer.key("credentials")
        writer.beginObject()
        writer.key("set"); writer.bool(true)
        writer.key("fingerprint"); writer.string(source.credentialsFingerprint)
        writer.key("key_id"); writer.string(source.credentialsKeyID)
        writer.endObject()
        writer.key("stats")
        writer.beginObject()
        writer.key("events_collected_total"); writer.int(source.eventsCollectedTotal)
        writer.key("last_poll_events"); writer.int(source.lastPollEvents)
        writer.key("last_poll_duration_ms")
        if let duration = source.lastPollDurationMs { writer.int(duration) } else { writer.null() }
        writer.endObject()
        writer.key("created_at"); writer.string(source.createdAt)
        writer.key("updated_at"); writer.string(source.updatedAt)
        writer.endObject()
    }

    static func write(_ source: DueSource, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("source_id"); writer.string(source.sourceID)
        writer.key("tenant_id"); writer.string(source.tenantID)
        writer.key("platform"); writer.string(source.platform.rawValue)
        writer.key("source_name"); writer.string(source.sourceName)
        writer.key("polling_interval_minutes"); writer.int(source.pollingIntervalMinutes)
        writer.key("last_polled_timestamp"); writer.string(source.lastPolledTimestamp)
        writer.key("next_poll_time"); writer.string(source.nextPollTime)
        writer.key("error_count"); writer.int(source.errorCount)
        writer.key("settings"); writer.raw(source.settingsJSON.utf8)
        writer.key("cursor"); writer.raw(source.cursorJSON.utf8)
        writer.endObject()
    }
}

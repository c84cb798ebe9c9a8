internal import JSONBytes
internal import SourceModel
internal import Storage
internal import UTCTime

/// The JSON shape of a source in every response. Credentials appear only as
/// "set", a fingerprint and the sealing key id, never as values.
enum SourceRenderer {
    /// Rendered from the row's column bytes in place (see `StoredSources`).
    static func write(_ source: StoredSource, into writer: inout JSONWriter) {
        func text(_ column: StoredSource.Column) {
            if !source.withText(column, { writer.string(utf8: $0) }) { writer.null() }
        }
        func time(_ column: StoredSource.Column) {
            if let time = source.timestamp(column) { time.withRFC3339 { writer.string(utf8: $0) } } else { writer.null() }
        }
        func integer(_ column: StoredSource.Column) {
            if let value = source.integer(column) { writer.int(value) } else { writer.null() }
        }
        func json(_ column: StoredSource.Column) {
            if !source.withJSON(column, { writer.raw($0) }) {
                writer.beginObject()
                writer.endObject()
            }
        }
        writer.beginObject()
        writer.key(ascii: "source_id")
        if !source.withSourceID({ writer.string(utf8: $0) }) { writer.null() }
        writer.key(ascii: "tenant_id"); text(.tenantID)
        writer.key(ascii: "platform"); text(.platform)
        writer.key(ascii: "source_name"); text(.sourceName)
        writer.key(ascii: "polling_interval_minutes"); integer(.pollingIntervalMinutes)
        writer.key(ascii: "is_enabled"); writer.bool(source.isEnabled)
        writer.key(ascii: "last_polled_timestamp"); time(.lastPolledTimestamp)
        writer.key(ascii: "last_success_timestamp"); time(.lastSuccessTimestamp)
        writer.key(ascii: "next_poll_time"); time(.nextPollTime)
        writer.key(ascii: "error_count"); integer(.errorCount)
        writer.key(ascii: "last_error"); text(.lastError)
        writer.key(ascii: "disabled_reason"); text(.disabledReason)
        writer.key(ascii: "settings"); json(.settings)
        writer.key(ascii: "cursor"); json(.cursor)
        writer.key(ascii: "credentials")
        writer.beginObject()
        writer.key(ascii: "set"); writer.bool(true)
        writer.key(ascii: "fingerprint"); text(.credentialsFingerprint)
        writer.key(ascii: "key_id"); text(.credentialsKeyID)
        writer.endObject()
        writer.key(ascii: "stats")
        writer.beginObject()
        writer.key(ascii: "events_collected_total"); integer(.eventsCollectedTotal)
        writer.key(ascii: "last_poll_events"); integer(.lastPollEvents)
        writer.key(ascii: "last_poll_duration_ms"); integer(.lastPollDurationMs)
        writer.endObject()
        writer.key(ascii: "created_at"); time(.createdAt)
        writer.key(ascii: "updated_at"); time(.updatedAt)
        writer.endObject()
    }

    static func write(_ source: DueSource, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key(ascii: "source_id"); writer.string(source.sourceID)
        writer.key(ascii: "tenant_id"); writer.string(source.tenantID)
        writer.key(ascii: "platform"); writer.string(source.platform.rawValue)
        writer.key(ascii: "source_name"); writer.string(source.sourceName)
        writer.key(ascii: "polling_interval_minutes"); writer.int(source.pollingIntervalMinutes)
        writer.key(ascii: "last_polled_timestamp"); writer.string(source.lastPolledTimestamp)
        writer.key(ascii: "next_poll_time"); writer.string(source.nextPollTime)
        writer.key(ascii: "error_count"); writer.int(source.errorCount)
        writer.key(ascii: "settings"); writer.raw(source.settingsJSON.utf8)
        writer.key(ascii: "cursor"); writer.raw(source.cursorJSON.utf8)
        writer.endObject()
    }
}

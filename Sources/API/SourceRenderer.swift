internal import JSONBytes
internal import SourceModel
internal import Storage
internal import UTCTime

/// The JSON shape of a source in every response. Credentials appear only as
/// "set", a fingerprint and the sealing key id, never as values.
enum SourceRenderer {
    /// The representation PostgreSQL rendered when the row was written (sql/005,
    /// `siem_source_json`), copied as is.
    static func write(_ source: StoredSource, into writer: inout JSONWriter) {
        source.withJSON { writer.raw($0) }
    }

    static func write(_ source: DueSource, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key(ascii: "source_id"); writer.string(source.sourceID)
        writer.key(ascii: "tenant_id"); writer.string(source.tenantID)
        writer.key(ascii: "platform"); writer.string(source.platform.rawValue)
        writer.key(ascii: "source_name"); writer.string(source.sourceName)
        writer.key(ascii: "polling_interval_minutes"); writer.int(source.pollingIntervalMinutes)
        writer.key(ascii: "last_polled_timestamp"); writer.string(source.lastPolled?.rfc3339)
        writer.key(ascii: "next_poll_time"); writer.string(source.nextPollTime.rfc3339)
        writer.key(ascii: "error_count"); writer.int(source.errorCount)
        writer.key(ascii: "settings"); writer.raw(source.settingsJSON.utf8)
        writer.key(ascii: "cursor"); writer.raw(source.cursorJSON.utf8)
        writer.endObject()
    }
}

internal import UTCTime
internal import Postgres
public import SourceModel

/// The columns every source read selects, in the order `SourceRow.decode` expects.
enum SourceRow {
    static let columns = """
        source_id, tenant_id, platform, source_name, polling_interval_minutes, is_enabled,
        last_polled_timestamp, last_success_timestamp, next_poll_time, error_count, last_error,
        disabled_reason, settings, cursor, credentials_fingerprint, credentials_key_id,
        events_collected_total, last_poll_events, last_poll_duration_ms, created_at, updated_at
        """

    static func decode(_ result: PostgresResult, row: Int) throws(StorageError) -> CloudSource {
        guard let platformName = result.string(row, 2), let platform = Platform(name: platformName) else {
            throw StorageError(code: .corruptRow, message: "unknown platform in row \(row)")
        }
        func time(_ column: Int) -> String? { result.timestamp(row, column)?.rfc3339 }
        return CloudSource(
            sourceID: result.string(row, 0) ?? "",
            tenantID: result.string(row, 1) ?? "",
            platform: platform,
            sourceName: result.string(row, 3) ?? "",
            pollingIntervalMinutes: result.int(row, 4) ?? 0,
            isEnabled: result.bool(row, 5) ?? false,
            lastPolledTimestamp: time(6),
            lastSuccessTimestamp: time(7),
            nextPollTime: time(8) ?? "",
            errorCount: result.int(row, 9) ?? 0,
            lastError: result.string(row, 10),
            disabledReason: result.string(row, 11),
            settingsJSON: result.string(row, 12) ?? "{}",
            cursorJSON: result.string(row, 13) ?? "{}",
            credentialsFingerprint: result.string(row, 14) ?? "",
            credentialsKeyID: result.string(row, 15) ?? "",
            eventsCollectedTotal: result.int(row, 16) ?? 0,
            lastPollEvents: result.int(row, 17) ?? 0,
            lastPollDurationMs: result.int(row, 18),
            createdAt: time(19) ?? "",
            updatedAt: time(20) ?? "")
    }

    static func decodeAll(_ result: PostgresResult) throws(StorageError) -> [CloudSource] {
        var sources: [CloudSource] = []
        sources.reserveCapacity(result.rowCount)
        for row in 0..<result.rowCount { sources.append(try decode(result, row: row)) }
        return sources
    }
}

public import Postgres
public import SourceModel
public import UTCTime

/// One source's polling state as `siem-ctl status` shows it (no secrets).
public struct SourceStatus: Sendable {
    public var sourceID: String
    public var tenantID: String
    public var platform: String
    public var sourceName: String
    public var isEnabled: Bool
    public var errorCount: Int
    public var lastPolled: UTCTimestamp?
    public var lastSuccess: UTCTimestamp?
    public var nextPoll: UTCTimestamp?
    public var eventsCollectedTotal: Int
    public var lastError: String?
    public var disabledReason: String?
    public var credentialsExpire: UTCTimestamp?

    public func health(now: UTCTimestamp, rules: SourceHealth.Rules = .init()) -> SourceHealth {
        SourceHealth.classify(isEnabled: isEnabled, errorCount: errorCount, lastPolled: lastPolled,
                              nextPoll: nextPoll, credentialsExpire: credentialsExpire, now: now, rules: rules)
    }
}

/// Reads every tenant's sources (or one tenant's) with the database's clock, so
/// that "overdue" is judged by the same clock the schedule was written with.
public final class SourceStatusReader {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func read(tenantID: String?) throws(StorageError) -> (now: UTCTimestamp, sources: [SourceStatus]) {
        let result: PostgresResult
        do {
            result = try connection.query("""
                SELECT now(), source_id, tenant_id, platform, source_name, is_enabled, error_count,
                       last_polled_timestamp, last_success_timestamp, next_poll_time, events_collected_total,
                       last_error, disabled_reason, credentials_expires_at
                FROM cloud_api_sources
                WHERE \(tenantID)::text IS NULL OR tenant_id = \(tenantID)
                ORDER BY tenant_id, source_name COLLATE "C"
                """)
        } catch {
            throw .wrap(error, "could not read the sources")
        }
        // With no sources there is nothing to judge, and the local clock serves.
        let now = result.rowCount > 0 ? result.timestamp(0, 0) ?? .now() : .now()
        let sources = (0..<result.rowCount).map { row in
            SourceStatus(
                sourceID: result.string(row, 1) ?? "", tenantID: result.string(row, 2) ?? "",
                platform: result.string(row, 3) ?? "", sourceName: result.string(row, 4) ?? "",
                isEnabled: result.bool(row, 5) ?? false, errorCount: result.int(row, 6) ?? 0,
                lastPolled: result.timestamp(row, 7), lastSuccess: result.timestamp(row, 8),
                nextPoll: result.timestamp(row, 9), eventsCollectedTotal: result.int(row, 10) ?? 0,
                lastError: result.string(row, 11), disabledReason: result.string(row, 12),
                credentialsExpire: result.timestamp(row, 13))
        }
        return (now, sources)
    }
}

@available(*, unavailable)
extension SourceStatusReader: Sendable {}

public import Postgres
internal import UTCTime

/// One source's operator figures (no secrets), for `/metrics`.
public struct SourceMetrics: Sendable {
    public var sourceID: String
    public var tenantID: String
    public var platform: String
    public var sourceName: String
    public var isEnabled: Bool
    public var eventsCollectedTotal: Int
    public var lastPollEvents: Int
    public var lastPollDurationMs: Int?
    public var consecutiveErrors: Int
    public var lastPolledSeconds: Double?
    public var lastSuccessSeconds: Double?
    /// When the credentials stop working on their own (a certificate's end), if known.
    public var credentialsExpirySeconds: Double?
    public var nextPollSeconds: Double?
}

/// Reads the figures through `siem_source_metrics` (sql/004).
public final class SourceMetricsReader {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Every tenant's sources when `tenantID` is nil, else that tenant's.
    public func metrics(tenantID: String?) throws(StorageError) -> [SourceMetrics] {
        let result: PostgresResult
        do {
            result = try connection.query("""
                SELECT source_id, tenant_id, platform, source_name, is_enabled, events_collected_total, last_poll_events,
                       last_poll_duration_ms, error_count, last_polled_timestamp, last_success_timestamp,
                       credentials_expires_at, next_poll_time
                FROM siem_source_metrics(\(tenantID))
                """)
        } catch {
            throw .wrap(error, "could not read the metrics")
        }
        return (0..<result.rowCount).map { row in
            SourceMetrics(
                sourceID: result.string(row, 0) ?? "", tenantID: result.string(row, 1) ?? "",
                platform: result.string(row, 2) ?? "", sourceName: result.string(row, 3) ?? "",
                isEnabled: result.bool(row, 4) ?? false, eventsCollectedTotal: result.int(row, 5) ?? 0,
                lastPollEvents: result.int(row, 6) ?? 0, lastPollDurationMs: result.int(row, 7),
                consecutiveErrors: result.int(row, 8) ?? 0,
                lastPolledSeconds: result.timestamp(row, 9).map { Double($0.microseconds) / 1e6 },
                lastSuccessSeconds: result.timestamp(row, 10).map { Double($0.microseconds) / 1e6 },
                credentialsExpirySeconds: result.timestamp(row, 11).map { Double($0.microseconds) / 1e6 },
                nextPollSeconds: result.timestamp(row, 12).map { Double($0.microseconds) / 1e6 })
        }
    }
}

@available(*, unavailable)
extension SourceMetricsReader: Sendable {}

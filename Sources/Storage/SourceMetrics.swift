public import Postgres
public import SourceModel
public import UTCTime

/// One source's operator figures (no secrets), for `/metrics` and `siem-ctl status`.
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
    public var lastPolled: UTCTimestamp?
    public var lastSuccess: UTCTimestamp?
    public var nextPoll: UTCTimestamp?
    /// When the credentials stop working on their own (a certificate's end), if known.
    public var credentialsExpire: UTCTimestamp?
    public var lastError: String?
    public var disabledReason: String?
    /// Each stream's health and lag (sql/012), in stream order.
    public var streams: [StreamMetrics] = []

    public func health(now: UTCTimestamp, rules: SourceHealth.Rules = .init()) -> SourceHealth {
        let source = SourceHealth.classify(isEnabled: isEnabled, errorCount: consecutiveErrors, lastPolled: lastPolled,
                                           nextPoll: nextPoll, credentialsExpire: credentialsExpire, now: now, rules: rules)
        // A stream's trouble shows on a source that is otherwise fine, never hides a worse state.
        guard source == .ok || source == .expiring || source == .pending else { return source }
        if streams.contains(where: { $0.state == .failing || $0.state == .disabled }) { return .degraded }
        if streams.contains(where: { $0.state == .lagging }) { return .lagging }
        return source
    }
}

/// One stream of a source, as /metrics and `siem-ctl status` show it.
public struct StreamMetrics: Sendable {
    public var stream: String
    /// disabled, failing, lagging (judged now, by the database's clock), else ok.
    public var state: StreamHealthState
    public var consecutiveErrors: Int
    public var lastError: String?
    public var disabledReason: String?
    public var nextAttempt: UTCTimestamp?
    public var backlogRuns: Int
    public var watermark: UTCTimestamp?
    public var watermarkAgeSeconds: Double?
    public var eventsTruncatedTotal = 0
    public var recordsDroppedTotal = 0
    public var isEnabled: Bool { state != .disabled }
}

/// Reads the figures: every tenant's through `siem_source_metrics` and `siem_stream_metrics`,
/// SECURITY DEFINER functions that cross tenants; one tenant's from the table itself, under
/// row-level security, so an admin's or viewer's request never needs those functions.
public final class SourceMetricsReader {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    private static let columns = """
        source_id, tenant_id, platform, source_name, is_enabled, events_collected_total, last_poll_events,
        last_poll_duration_ms, error_count, last_polled_timestamp, last_success_timestamp,
        next_poll_time, credentials_expires_at, last_error, disabled_reason
        """

    /// Every tenant's sources when `tenantID` is nil, else that tenant's.
    public func metrics(tenantID: String?) throws(StorageError) -> [SourceMetrics] {
        let result: PostgresResult
        do {
            if let tenantID {
                result = try connection.transaction {
                    // Local to the transaction: the session's tenant (SourceRepository's) is back after it.
                    try connection.query("SELECT set_config('app.tenant_id', \(tenantID), true)")
                    return try connection.query("""
                        SELECT \(unsafeSQL: Self.columns) FROM cloud_api_sources
                        WHERE tenant_id = \(tenantID) ORDER BY source_name
                        """)
                }
            } else {
                result = try connection.query("SELECT \(unsafeSQL: Self.columns) FROM siem_source_metrics(NULL)")
            }
        } catch let error as PostgresError {
            throw .wrap(error, "could not read the metrics")
        } catch {
            throw StorageError(code: .corruptRow, message: "could not read the metrics: \(error)")
        }
        return (0..<result.rowCount).map { row in
            SourceMetrics(
                sourceID: result.string(row, 0) ?? "", tenantID: result.string(row, 1) ?? "",
                platform: result.string(row, 2) ?? "", sourceName: result.string(row, 3) ?? "",
                isEnabled: result.bool(row, 4) ?? false, eventsCollectedTotal: result.int(row, 5) ?? 0,
                lastPollEvents: result.int(row, 6) ?? 0, lastPollDurationMs: result.int(row, 7),
                consecutiveErrors: result.int(row, 8) ?? 0,
                lastPolled: result.timestamp(row, 9), lastSuccess: result.timestamp(row, 10),
                nextPoll: result.timestamp(row, 11), credentialsExpire: result.timestamp(row, 12),
                lastError: result.string(row, 13), disabledReason: result.string(row, 14))
        }.attachingStreams(try streams(tenantID: tenantID))
    }

    /// source id → its streams (sql/012): every tenant's through `siem_stream_metrics`, one
    /// tenant's through `siem_stream_rows` under row-level security.
    func streams(tenantID: String?) throws(StorageError) -> [String: [StreamMetrics]] {
        let columns = """
            source_id, stream, state, error_count, last_error, disabled_reason, next_attempt,
            backlog_runs, watermark, watermark_age_seconds, lagging, events_truncated_total, records_dropped_total
            """
        let result: PostgresResult
        do {
            if let tenantID {
                result = try connection.transaction {
                    try connection.query("SELECT set_config('app.tenant_id', \(tenantID), true)")
                    return try connection.query("SELECT \(unsafeSQL: columns) FROM siem_stream_rows(\(tenantID))")
                }
            } else {
                result = try connection.query("SELECT \(unsafeSQL: columns) FROM siem_stream_metrics(NULL)")
            }
        } catch let error as PostgresError {
            throw .wrap(error, "could not read the stream metrics")
        } catch {
            throw StorageError(code: .corruptRow, message: "could not read the stream metrics: \(error)")
        }
        var out: [String: [StreamMetrics]] = [:]
        for row in 0..<result.rowCount {
            let stored = result.string(row, 2).flatMap(StreamHealthState.init(rawValue:)) ?? .ok
            let lagging = result.bool(row, 10) ?? false
            let state: StreamHealthState = stored == .disabled || stored == .failing ? stored : (lagging ? .lagging : .ok)
            out[result.string(row, 0) ?? "", default: []].append(StreamMetrics(
                stream: result.string(row, 1) ?? "", state: state, consecutiveErrors: result.int(row, 3) ?? 0,
                lastError: result.string(row, 4), disabledReason: result.string(row, 5),
                nextAttempt: result.timestamp(row, 6), backlogRuns: result.int(row, 7) ?? 0,
                watermark: result.timestamp(row, 8), watermarkAgeSeconds: result.string(row, 9).flatMap(Double.init),
                eventsTruncatedTotal: result.int(row, 11) ?? 0, recordsDroppedTotal: result.int(row, 12) ?? 0))
        }
        return out
    }

    /// The database's clock: the one every schedule was written with, so "overdue"
    /// is judged by it and not by this host's.
    public func databaseNow() throws(StorageError) -> UTCTimestamp {
        do {
            return try connection.serverNow()
        } catch {
            throw .wrap(error, "could not read the database's clock")
        }
    }
}

@available(*, unavailable)
extension SourceMetricsReader: Sendable {}

extension Array where Element == SourceMetrics {
    fileprivate func attachingStreams(_ streams: [String: [StreamMetrics]]) -> [SourceMetrics] {
        map { source in
            var source = source
            source.streams = streams[source.sourceID] ?? []
            return source
        }
    }
}

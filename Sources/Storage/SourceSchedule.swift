public import UTCTime
public import Postgres
public import SourceModel

/// A due source as the poller sees it: no secrets.
public struct DueSource: Sendable {
    public var sourceID: String
    public var tenantID: String
    public var platform: Platform
    public var sourceName: String
    public var pollingIntervalMinutes: Int
    public var lastPolled: UTCTimestamp?
    public var nextPollTime: UTCTimestamp
    public var errorCount: Int
    public var settingsJSON: String
    public var cursorJSON: String
    /// Each stream's health (sql/012), when the query selected it (LockedSourceStore.current does).
    public var streamStateJSON = "{}"
}

extension DueSource {
    /// Decodes the ten columns every due-source query selects, in this order:
    /// source_id, tenant_id, platform, source_name, polling_interval_minutes,
    /// last_polled_timestamp, next_poll_time, error_count, settings, cursor.
    init(_ result: PostgresResult, row: Int) throws(StorageError) {
        // A platform this process was not given still polls (and fails) as its own source.
        guard let platform = result.string(row, 2).map(Platform.init(stored:)) else {
            throw StorageError(code: .corruptRow, message: "no platform in due source")
        }
        guard let nextPollTime = result.timestamp(row, 6) else {
            throw StorageError(code: .corruptRow, message: "no next_poll_time in due source")
        }
        self.init(
            sourceID: result.string(row, 0) ?? "", tenantID: result.string(row, 1) ?? "", platform: platform,
            sourceName: result.string(row, 3) ?? "", pollingIntervalMinutes: result.int(row, 4) ?? 0,
            lastPolled: result.timestamp(row, 5), nextPollTime: nextPollTime,
            errorCount: result.int(row, 7) ?? 0, settingsJSON: result.string(row, 8) ?? "{}",
            cursorJSON: result.string(row, 9) ?? "{}")
        if result.columnCount > 10 { streamStateJSON = result.string(row, 10) ?? "{}" }
    }
}

/// What `siem_record_poll_outcome` decided.
public struct RecordedOutcome: Sendable {
    public var sourceID: String
    public var isEnabled: Bool
    public var errorCount: Int
    public var nextPollTime: UTCTimestamp?
    public var disabledReason: String?
}

/// What a poll came to for the source's schedule (sql/012): a failure counts towards the
/// backoff and auto-disable, an idle run (no stream due) changes nothing.
public enum ScheduledOutcome: String, Sendable {
    case success, failure, idle
}

/// Cross-tenant scheduling and bookkeeping through the SECURITY DEFINER functions of
/// sql/003, so the schedule rules live in one place for the poller and the API.
public final class SourceSchedule {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func dueSources(now: UTCTimestamp, limit: Int) throws(StorageError) -> [DueSource] {
        let result: PostgresResult
        do {
            result = try connection.query("""
                SELECT source_id, tenant_id, platform, source_name, polling_interval_minutes,
                       last_polled_timestamp, next_poll_time, error_count, settings, cursor
                FROM siem_due_sources(\(now)::timestamptz, \(limit))
                """)
        } catch {
            throw .wrap(error, "could not read due sources")
        }
        var due: [DueSource] = []
        for row in 0..<result.rowCount { due.append(try DueSource(result, row: row)) }
        return due
    }

    /// Records one poll as the poller sees it (sql/012): the streams' health and the
    /// source's outcome in one statement; nil when the
    /// source no longer exists. With `session` (the one holding the source's lock), only on
    /// that session, else `.lockLost`.
    public func record(sourceID: String, outcome: ScheduledOutcome, poll: PollReport, streamStateJSON: String,
                       maxConsecutiveFailures: Int, session: Int? = nil) throws(StorageError) -> RecordedOutcome? {
        let result: PostgresResult
        do {
            result = try connection.query("""
                SELECT source_id, is_enabled, error_count, next_poll_time, disabled_reason
                FROM siem_record_source_poll(\(sourceID)::uuid, \(outcome.rawValue), \(poll.polledAt)::timestamptz,
                    \(poll.error), \(poll.events), \(poll.durationMs), \(maxConsecutiveFailures),
                    \(poll.backlogLeft), \(streamStateJSON)::jsonb)
                """, session: session)
        } catch {
            throw error.code == .sessionLost ? .lockLost(sourceID) : .wrap(error, "could not record the poll")
        }
        return Self.recorded(result, sourceID: sourceID)
    }

    /// Records one poll's outcome (the API's poll/status endpoint); nil when the source no
    /// longer exists. With `session`, only on that session, else `.lockLost`.
    public func record(sourceID: String, outcome: PollReport, maxConsecutiveFailures: Int,
                       session: Int? = nil) throws(StorageError) -> RecordedOutcome? {
        let result: PostgresResult
        do {
            result = try connection.query("""
                SELECT source_id, is_enabled, error_count, next_poll_time, disabled_reason
                FROM siem_record_poll_outcome(\(sourceID)::uuid, \(outcome.success), \(outcome.polledAt)::timestamptz,
                    \(outcome.error), \(outcome.events), \(outcome.durationMs), \(maxConsecutiveFailures),
                    \(outcome.backlogLeft))
                """, session: session)
        } catch {
            throw error.code == .sessionLost ? .lockLost(sourceID) : .wrap(error, "could not record the poll outcome")
        }
        return Self.recorded(result, sourceID: sourceID)
    }

    private static func recorded(_ result: PostgresResult, sourceID: String) -> RecordedOutcome? {
        guard result.rowCount == 1 else { return nil }
        return RecordedOutcome(
            sourceID: result.string(0, 0) ?? sourceID,
            isEnabled: result.bool(0, 1) ?? false,
            errorCount: result.int(0, 2) ?? 0,
            nextPollTime: result.timestamp(0, 3),
            disabledReason: result.string(0, 4))
    }
}

@available(*, unavailable)
extension SourceSchedule: Sendable {}

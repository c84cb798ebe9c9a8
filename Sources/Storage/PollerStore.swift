public import Postgres
internal import SourceModel
internal import UTCTime

/// What one poller worker needs from PostgreSQL, on its own connection:
/// the per-source advisory lock (session-level, so it lives exactly as long as
/// the worker holds it, and dies with the connection if the process is killed),
/// the source's current row, and checkpoint writes.
public final class PollerStore {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Tries the source's advisory lock; false when another poller (this host or
    /// another) holds it. The key is a 64-bit hash of the source id.
    public func tryLock(sourceID: String) throws(StorageError) -> Bool {
        do {
            let result = try connection.query(
                "SELECT pg_try_advisory_lock(hashtextextended(\(sourceID), 727274))")
            return result.bool(0, 0) ?? false
        } catch {
            throw .wrap(error, "could not take the source lock")
        }
    }

    public func unlock(sourceID: String) {
        _ = try? connection.query("SELECT pg_advisory_unlock(hashtextextended(\(sourceID), 727274))")
    }

    /// The source as it is now, if it still exists, is enabled and (unless
    /// `force`) is due: another poller may have polled it since it was listed.
    public func current(sourceID: String, now: String, force: Bool) throws(StorageError) -> DueSource? {
        let result: PostgresResult
        do {
            result = try connection.query("""
                SELECT source_id, tenant_id, platform, source_name, polling_interval_minutes,
                       last_polled_timestamp, next_poll_time, error_count, settings, cursor, stream_state
                FROM cloud_api_sources
                WHERE source_id = \(sourceID)::uuid
                  AND (\(force) OR (is_enabled AND next_poll_time <= siem_poll_due_by(\(now)::timestamptz)))
                """)
        } catch {
            throw .wrap(error, "could not read the source")
        }
        return result.rowCount == 1 ? try DueSource(result, row: 0) : nil
    }

    /// Stores one stream's checkpoint. Called only after Kafka acknowledged
    /// every event up to it.
    public func saveCheckpoint(sourceID: String, stream: String, checkpointJSON: String) throws(StorageError) {
        do {
            try connection.query("""
                UPDATE cloud_api_sources
                SET cursor = jsonb_set(cursor, ARRAY[\(stream)], \(checkpointJSON)::jsonb, true)
                WHERE source_id = \(sourceID)::uuid
                """)
        } catch {
            throw .wrap(error, "could not save the checkpoint")
        }
    }

    /// A cheap check that the connection is alive before a long poll.
    public func ping() -> Bool { (try? connection.query("SELECT 1")) != nil }
}

@available(*, unavailable)
extension PollerStore: Sendable {}

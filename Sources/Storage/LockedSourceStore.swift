public import Postgres
internal import SourceModel
public import UTCTime

/// What one poller worker needs from PostgreSQL, on its own connection:
/// the per-source advisory lock (session-level, so it lives exactly as long as
/// the worker holds it, and dies with the connection if the process is killed),
/// the source's current row, and checkpoint writes.
///
/// A lock lives only as long as the session that took it. Every write made under it
/// is pinned to that session (`.lockLost` once it ended: never a silent write from a
/// new session), and a checkpoint write also checks `pg_locks` in the same statement.
public final class LockedSourceStore {
    private let connection: PostgresConnection
    /// The session each held lock was taken on.
    private var lockSessions: [String: Int] = [:]

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Tries the source's advisory lock; false when another poller (this host or
    /// another) holds it. The key is a 64-bit hash of the source id.
    public func tryLock(sourceID: String) throws(StorageError) -> Bool {
        do {
            let result = try connection.query(
                "SELECT pg_try_advisory_lock(hashtextextended(\(sourceID), \(unsafeSQL: AdvisoryLocks.sourceSeedSQL)))")
            guard result.bool(0, 0) == true else { return false }
            lockSessions[sourceID] = connection.session
            return true
        } catch {
            throw .wrap(error, "could not take the source lock")
        }
    }

    public func unlock(sourceID: String) {
        // A lock whose session ended is already gone; unlocking on a new session only warns.
        guard let session = lockSessions.removeValue(forKey: sourceID) else { return }
        _ = try? connection.query("SELECT pg_advisory_unlock(hashtextextended(\(sourceID), \(unsafeSQL: AdvisoryLocks.sourceSeedSQL)))", session: session)
    }

    /// The session that holds the source's lock, for writes pinned to it; `.lockLost`
    /// once the connection has moved on to a newer session.
    public func lockSession(sourceID: String) throws(StorageError) -> Int {
        guard let session = lockSessions[sourceID], session == connection.session else { throw .lockLost(sourceID) }
        return session
    }

    /// The source as it is now, if it still exists, is enabled and (unless
    /// `force`) is due: another poller may have polled it since it was listed.
    /// With the database's clock, which the poll then runs by (a host clock can be wrong).
    public func current(sourceID: String, force: Bool) throws(StorageError) -> (source: DueSource, now: UTCTimestamp)? {
        let result: PostgresResult
        do {
            result = try connection.query("""
                SELECT source_id, tenant_id, platform, source_name, polling_interval_minutes,
                       last_polled_timestamp, next_poll_time, error_count, settings, cursor, stream_state, now()
                FROM cloud_api_sources
                WHERE source_id = \(sourceID)::uuid
                  AND (\(force) OR (is_enabled AND next_poll_time <= siem_poll_due_by(now())))
                """)
        } catch {
            throw .wrap(error, "could not read the source")
        }
        guard result.rowCount == 1 else { return nil }
        guard let now = result.timestamp(0, 11) else {
            throw StorageError(code: .corruptRow, message: "now() returned no timestamp")
        }
        return (try DueSource(result, row: 0), now)
    }

    /// Stores one stream's checkpoint. Called only after Kafka acknowledged every
    /// event up to it, and only while this session holds the source's lock: `pg_locks`
    /// is read in the same statement, so no other poller can own the source meanwhile.
    public func saveCheckpoint(sourceID: String, stream: String, checkpointJSON: String) throws(StorageError) {
        let session = try lockSession(sourceID: sourceID)
        let result: PostgresResult
        do {
            result = try connection.query("""
                WITH lock AS (
                    SELECT EXISTS (SELECT FROM pg_locks, hashtextextended(\(sourceID), \(unsafeSQL: AdvisoryLocks.sourceSeedSQL)) AS key
                                   WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
                                     AND classid = (key >> 32 & 4294967295)::oid AND objid = (key & 4294967295)::oid) AS held
                ), saved AS (
                    UPDATE cloud_api_sources
                    SET cursor = jsonb_set(cursor, ARRAY[\(stream)], \(checkpointJSON)::jsonb, true)
                    WHERE source_id = \(sourceID)::uuid AND (SELECT held FROM lock)
                    RETURNING 1
                )
                SELECT held FROM lock
                """, session: session)
        } catch {
            throw error.code == .sessionLost ? .lockLost(sourceID) : .wrap(error, "could not save the checkpoint")
        }
        guard result.bool(0, 0) == true else { throw .lockLost(sourceID) }
    }

    /// A cheap check that the connection is alive before a long poll.
    public func ping() -> Bool { (try? connection.query("SELECT 1")) != nil }
}

@available(*, unavailable)
extension LockedSourceStore: Sendable {}

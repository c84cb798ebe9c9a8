public import Postgres
public import SourceModel
internal import JSONBytes
public import UTCTime

/// Sealed credentials as stored: the envelope plus its key id and fingerprint.
public struct SealedCredentials: Sendable {
    public var envelope: [UInt8]
    public var keyID: String
    public var fingerprint: String
    /// When the credentials stop working on their own (RFC 3339), if known.
    public var expiresAt: UTCTimestamp?
    public init(envelope: [UInt8], keyID: String, fingerprint: String, expiresAt: UTCTimestamp? = nil) {
        self.envelope = envelope
        self.keyID = keyID
        self.fingerprint = fingerprint
        self.expiresAt = expiresAt
    }
}

/// Filters and paging for a tenant's source listing (keyset paging on the name,
/// which is unique per tenant, in code-point order).
public struct SourceListQuery: Hashable, Sendable {
    public var platform: Platform?
    public var isEnabled: Bool?
    public var limit: Int
    /// Continue after this source_name.
    public var after: String?

    public init(platform: Platform? = nil, isEnabled: Bool? = nil, limit: Int = 50, after: String? = nil) {
        self.platform = platform
        self.isEnabled = isEnabled
        self.limit = limit
        self.after = after
    }
}

/// A tenant's view of `cloud_api_sources`. Every statement names the tenant, and
/// the session's `app.tenant_id` is set to it first, so row-level security in
/// the database enforces the same boundary a second time.
public final class SourceRepository {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Sets the session's tenant for row-level security. The connection applies it again
    /// to any session it opens after a reconnect, whichever statement reconnects, so no
    /// statement runs with a missing or stale tenant (set_config outside a transaction,
    /// so no rollback can undo it under us).
    private func scope(to tenantID: String) throws(StorageError) {
        do {
            try connection.setSessionSetting("app.tenant_id", to: tenantID)
        } catch {
            throw .wrap(error, "could not scope the session to the tenant")
        }
    }

    private func run(_ tenantID: String, _ sql: SQL, _ what: String) throws(StorageError) -> PostgresResult {
        try scope(to: tenantID)
        do {
            return try connection.query(sql)
        } catch {
            if error.isUniqueViolation {
                throw StorageError(code: .duplicateName, message: "a source with this name already exists", underlying: error)
            }
            throw .wrap(error, what)
        }
    }

    /// Source rows (see `StoredSources`).
    private func sources(_ tenantID: String, _ sql: SQL, _ what: String) throws(StorageError) -> StoredSources {
        try StoredSources(run(tenantID, sql, what))
    }

    public func list(tenantID: String, query: SourceListQuery) throws(StorageError) -> StoredSources {
        let platform = query.platform?.rawValue
        let afterName = query.after
        return try sources(tenantID, """
            SELECT \(unsafeSQL: StoredSource.selectList) FROM cloud_api_sources
            WHERE tenant_id = \(tenantID)
              AND (\(platform)::text IS NULL OR platform = \(platform))
              AND (\(query.isEnabled)::boolean IS NULL OR is_enabled = \(query.isEnabled))
              AND (\(afterName)::text IS NULL OR source_name COLLATE "C" > \(afterName))
            ORDER BY source_name COLLATE "C"
            LIMIT \(query.limit)
            """, "could not list sources")
    }

    /// How often the tenant's sources have changed (sql/008). Every committed write
    /// bumps it in the same transaction, so an unchanged count means the listings
    /// read since it was last this value are still what the database would return.
    public func changeCount(tenantID: String) throws(StorageError) -> Int {
        let result = try run(tenantID, """
            SELECT coalesce((SELECT change_count FROM cloud_api_source_changes WHERE tenant_id = \(tenantID)), 0)
            """, "could not read the sources' change count")
        guard result.rowCount == 1, let count = result.int(0, 0) else {
            throw StorageError(code: .corruptRow, message: "the change count query returned no number")
        }
        return count
    }

    public func find(tenantID: String, sourceID: String) throws(StorageError) -> StoredSource? {
        return try sources(tenantID, """
            SELECT \(unsafeSQL: StoredSource.selectList) FROM cloud_api_sources
            WHERE tenant_id = \(tenantID) AND source_id = \(sourceID)::uuid
            """, "could not read the source").first
    }

    public func insert(tenantID: String, sourceID: String, draft: SourceDraft,
                       credentials: SealedCredentials) throws(StorageError) -> StoredSource {
        let settings = String(decoding: draft.settings.serialized(), as: UTF8.self)
        guard let source = try sources(tenantID, """
            INSERT INTO cloud_api_sources (source_id, tenant_id, platform, source_name, api_credentials,
                credentials_key_id, credentials_fingerprint, credentials_expires_at, polling_interval_minutes,
                is_enabled, settings)
            VALUES (\(sourceID)::uuid, \(tenantID), \(draft.platform.rawValue), \(draft.sourceName),
                \(ByteaBind(credentials.envelope))::bytea, \(credentials.keyID), \(credentials.fingerprint),
                \(credentials.expiresAt)::timestamptz, \(draft.pollingIntervalMinutes), \(draft.isEnabled),
                \(settings)::jsonb)
            RETURNING \(unsafeSQL: StoredSource.selectList)
            """, "could not create the source").first else {
            throw StorageError(code: .corruptRow, message: "the insert returned no row")
        }
        return source
    }

    /// Replaces the source's fields; nil `credentials` keeps the stored ones.
    /// Re-enabling a source clears its failure state so it is polled again.
    /// With `unlessPlatformChanges`, a source stored with another platform is left as it is
    /// (nil, like a missing one): the caller checked the draft without the stored platform.
    public func update(tenantID: String, sourceID: String, draft: SourceDraft,
                       credentials: SealedCredentials?, unlessPlatformChanges: Bool = false) throws(StorageError) -> StoredSource? {
        let settings = String(decoding: draft.settings.serialized(), as: UTF8.self)
        return try sources(tenantID, """
            UPDATE cloud_api_sources SET
                platform = \(draft.platform.rawValue),
                source_name = \(draft.sourceName),
                polling_interval_minutes = \(draft.pollingIntervalMinutes),
                error_count = CASE WHEN \(draft.isEnabled) AND NOT is_enabled THEN 0 ELSE error_count END,
                disabled_reason = CASE WHEN \(draft.isEnabled) THEN NULL ELSE disabled_reason END,
                is_enabled = \(draft.isEnabled),
                settings = \(settings)::jsonb,
                api_credentials = coalesce(\(credentials.map { ByteaBind($0.envelope) })::bytea, api_credentials),
                credentials_key_id = coalesce(\(credentials?.keyID), credentials_key_id),
                credentials_fingerprint = coalesce(\(credentials?.fingerprint), credentials_fingerprint),
                credentials_expires_at = CASE WHEN \(credentials != nil) THEN \(credentials?.expiresAt)::timestamptz
                                              ELSE credentials_expires_at END
            WHERE tenant_id = \(tenantID) AND source_id = \(sourceID)::uuid
              AND (NOT \(unlessPlatformChanges) OR platform = \(draft.platform.rawValue))
            RETURNING \(unsafeSQL: StoredSource.selectList)
            """, "could not update the source").first
    }

    /// True when a row was deleted.
    public func delete(tenantID: String, sourceID: String) throws(StorageError) -> Bool {
        let result = try run(tenantID, """
            DELETE FROM cloud_api_sources WHERE tenant_id = \(tenantID) AND source_id = \(sourceID)::uuid
            """, "could not delete the source")
        return result.affectedRows > 0
    }

    /// Makes an enabled source due now ("poll now"); nil when there is no such
    /// source for the tenant. A disabled source is returned unchanged.
    public func makeDue(tenantID: String, sourceID: String) throws(StorageError) -> StoredSource? {
        return try sources(tenantID, """
            UPDATE cloud_api_sources SET next_poll_time = CASE WHEN is_enabled THEN now() ELSE next_poll_time END
            WHERE tenant_id = \(tenantID) AND source_id = \(sourceID)::uuid
            RETURNING \(unsafeSQL: StoredSource.selectList)
            """, "could not make the source due").first
    }

    /// Replaces one stream's checkpoint (an operator's rewind); nil when there is no such
    /// source or a poller holds its lock. The lock is taken for the statement's own
    /// transaction, so no poller can take it between the check and the write.
    public func setCheckpoint(tenantID: String, sourceID: String, stream: String,
                              checkpointJSON: String) throws(StorageError) -> StoredSource? {
        return try sources(tenantID, """
            WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtextextended(\(sourceID), \(unsafeSQL: AdvisoryLocks.sourceSeedSQL))) AS free)
            UPDATE cloud_api_sources SET cursor = jsonb_set(cursor, ARRAY[\(stream)], \(checkpointJSON)::jsonb, true)
            WHERE tenant_id = \(tenantID) AND source_id = \(sourceID)::uuid AND (SELECT free FROM lock)
            RETURNING \(unsafeSQL: StoredSource.selectList)
            """, "could not store the checkpoint").first
    }

    /// The database's clock, which watermarks are judged by (the API host's may be off).
    public func databaseNow() throws(StorageError) -> UTCTimestamp {
        do {
            return try connection.serverNow()
        } catch {
            throw .wrap(error, "could not read the database clock")
        }
    }

    /// The sealed credentials of one source (for re-sealing and for tests).
    public func sealedCredentials(tenantID: String, sourceID: String) throws(StorageError) -> [UInt8]? {
        let result = try run(tenantID, """
            SELECT api_credentials FROM cloud_api_sources
            WHERE tenant_id = \(tenantID) AND source_id = \(sourceID)::uuid
            """, "could not read the credentials")
        return result.rowCount == 0 ? nil : result.bytea(0, 0)
    }

    /// A cheap round trip for health checks.
    public func ping() -> Bool {
        (try? connection.query("SELECT 1")) != nil
    }
}

@available(*, unavailable)
extension SourceRepository: Sendable {}

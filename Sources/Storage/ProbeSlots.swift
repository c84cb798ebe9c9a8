public import Postgres

/// Source tests in flight, counted per tenant in PostgreSQL so that every worker of every
/// siem-api process sees the same count: a probe holds one of its tenant's advisory locks
/// (session-level, so a killed process frees it with its connection).
public final class ProbeSlots {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// The slot taken (0..<slots), or nil when all of the tenant's slots are in use.
    public func acquire(tenantID: String, slots: Int) throws(StorageError) -> Int? {
        for slot in 0..<slots {
            do {
                let result = try connection.query(
                    "SELECT pg_try_advisory_lock(\(Int(AdvisoryLocks.probeNamespace))::int4, hashtext(\(tenantID)::text || '#' || \(slot)::text))")
                if result.bool(0, 0) == true { return slot }
            } catch {
                throw .wrap(error, "could not count the tenant's source tests")
            }
        }
        return nil
    }

    public func release(tenantID: String, slot: Int) {
        _ = try? connection.query(
            "SELECT pg_advisory_unlock(\(Int(AdvisoryLocks.probeNamespace))::int4, hashtext(\(tenantID)::text || '#' || \(slot)::text))")
    }
}

@available(*, unavailable)
extension ProbeSlots: Sendable {}

/// Every PostgreSQL advisory-lock key the collector takes, defined once so that none collide.
/// The integration tests read these values from this file (Tests/integration/advisory_locks.py)
/// instead of copying them.
enum AdvisoryLocks {
    /// A source's lock (one 64-bit key): `hashtextextended(source_id, sourceSeed)`. Every writer
    /// of a source's checkpoints (the poller, an operator's rewind) goes through this one key;
    /// the seed keeps these keys apart from other one-key locks.
    static let sourceSeed: Int64 = 727274

    /// The migrator's transaction lock (one 64-bit key), serializing concurrent migrations.
    static let migrations: Int64 = 727_274_001

    /// The first key of the probe slots' two-key locks ("SIEP"): two-key locks never collide
    /// with one-key ones (pg_locks tells them apart by objsubid 2 and 1).
    static let probeNamespace: Int32 = 0x5349_4550

    /// `sourceSeed` as SQL text, for `hashtextextended(…, seed)` (a constant: no injection).
    static var sourceSeedSQL: String { String(sourceSeed) }
}

public import Postgres
internal import Foundation
internal import Crypto

/// Applies `sql/NNN_name.sql` files in order, each once, each in its own
/// transaction, under an advisory lock so concurrent runs do not race.
/// A file that changed after it was applied is refused (its checksum is kept).
public struct Migrator {
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    private let connection: PostgresConnection
    private let migrations: [Migration]

    public init(connection: PostgresConnection, directory: String) throws(StorageError) {
        self.connection = connection
        self.migrations = try Self.load(directory: directory)
    }

    static func load(directory: String) throws(StorageError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StorageError(code: .migration, message: "cannot read migrations directory \(directory)")
        }
        var migrations: [Migration] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let prefix = name.split(separator: "_").first, let version = Int(prefix) else {
                throw StorageError(code: .migration, message: "migration file \(name) does not start with a number")
            }
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else {
                throw StorageError(code: .migration, message: "cannot read migration \(name)")
            }
            if migrations.contains(where: { $0.version == version }) {
                throw StorageError(code: .migration, message: "two migrations have version \(version)")
            }
            migrations.append(Migration(version: version, name: name, sql: text))
        }
        return migrations
    }

    static func checksum(_ sql: String) -> String {
        SHA256.hash(data: Array(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Applies what is missing; returns the names applied now.
    @discardableResult
    public func migrate() throws(StorageError) -> [String] {
        do {
            try connection.execute(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
        } catch {
            throw .wrap(error, "cannot create schema_migrations")
        }
        var applied: [String] = []
        for migration in migrations {
            do {
                let done = try connection.transaction { () throws -> Bool in
                    // Serializes concurrent migrators.
                    try connection.query("SELECT pg_advisory_xact_lock(\(unsafeSQL: String(AdvisoryLocks.migrations)))")
                    let existing = try connection.query(
                        "SELECT checksum FROM schema_migrations WHERE version = \(migration.version)")
                    let sum = Self.checksum(migration.sql)
                    if existing.rowCount > 0 {
                        guard existing.string(0, 0) == sum else {
                            throw StorageError(code: .migration,
                                               message: "\(migration.name) changed after it was applied; add a new migration instead")
                        }
                        return false
                    }
                    try connection.execute(unsafeSQL: migration.sql)
                    try connection.query("""
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(sum))
                        """)
                    return true
                }
                if done { applied.append(migration.name) }
            } catch let error as StorageError {
                throw error
            } catch let error as PostgresError {
                throw StorageError(code: .migration, message: "\(migration.name) failed: \(error.message)", underlying: error)
            } catch {
                throw StorageError(code: .migration, message: "\(migration.name) failed")
            }
        }
        return applied
    }
}

public import Postgres

/// One row's sealed credentials with what they are bound to.
public struct StoredCredentials: Sendable {
    public var sourceID: String
    public var tenantID: String
    public var envelope: [UInt8]
}

/// Cross-tenant access to sealed credentials, for the poller (to open them just
/// before polling) and for `siem-ctl` (checks and key rotation). The API never
/// uses it: it only writes credentials through `SourceRepository`.
public final class CredentialStore {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func sealed(sourceID: String) throws(StorageError) -> StoredCredentials? {
        let result: PostgresResult
        do {
            result = try connection.query("""
                SELECT source_id, tenant_id, api_credentials FROM cloud_api_sources WHERE source_id = \(sourceID)::uuid
                """)
        } catch {
            throw .wrap(error, "could not read the credentials")
        }
        return result.rowCount == 0 ? nil : Self.decode(result, 0)
    }

    /// Every source's sealed credentials, in id order.
    public func all() throws(StorageError) -> [StoredCredentials] {
        let result: PostgresResult
        do {
            result = try connection.query("SELECT source_id, tenant_id, api_credentials FROM cloud_api_sources ORDER BY source_id")
        } catch {
            throw .wrap(error, "could not read the credentials")
        }
        return (0..<result.rowCount).map { Self.decode(result, $0) }
    }

    /// Stores a re-sealed envelope (key rotation) only if the row still holds `expected`, the
    /// envelope it was made from; false when the row changed or went away meanwhile (a PUT of new
    /// credentials must never be reverted to re-sealed old ones). The fingerprint is left as
    /// it is because the plaintext is.
    public func replace(sourceID: String, expected: [UInt8], envelope: [UInt8], keyID: String) throws(StorageError) -> Bool {
        do {
            return try connection.query("""
                UPDATE cloud_api_sources SET api_credentials = \(ByteaBind(envelope))::bytea, credentials_key_id = \(keyID)
                WHERE source_id = \(sourceID)::uuid AND api_credentials = \(ByteaBind(expected))::bytea
                """).affectedRows == 1
        } catch {
            throw .wrap(error, "could not store the re-sealed credentials")
        }
    }

    private static func decode(_ result: PostgresResult, _ row: Int) -> StoredCredentials {
        StoredCredentials(sourceID: result.string(row, 0) ?? "", tenantID: result.string(row, 1) ?? "",
                          envelope: result.bytea(row, 2) ?? [])
    }
}

@available(*, unavailable)
extension CredentialStore: Sendable {}

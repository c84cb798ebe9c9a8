public import Secrets

/// Re-seals the credentials an older master key sealed with the current key, safely next to
/// API writes: a row is written only if it still holds the envelope that was opened
/// (compare-and-swap on the sealed bytes), so credentials stored meanwhile are never replaced by
/// re-sealed old ones. A row that changed is read again and retried, a bounded number of times.
public struct CredentialRotation {
    /// What a rotation did.
    public struct Summary: Sendable, Equatable {
        /// Rows now sealed with the current key by this rotation.
        public var resealed = 0
        /// Rows that changed between read and write at least once (read again and retried, or
        /// found deleted or already sealed with the current key).
        public var changed = 0
        /// Rows still changing after every attempt, left under their old key: run it again.
        public var skipped = 0
        /// Rows that could not be opened or written.
        public var failed = 0

        /// Creates an empty summary.
        public init() {}
    }

    private let store: CredentialStore
    private let cipher: CredentialCipher
    /// Writes tried per row before it is skipped as still changing.
    public var maxAttempts = 5

    /// A rotation over `store`'s rows with `cipher`'s key ring.
    public init(store: CredentialStore, cipher: CredentialCipher) {
        self.store = store
        self.cipher = cipher
    }

    /// Rotates every row. `afterRead` runs between reading the rows and writing any (a test
    /// hook); `report` gets one line per row skipped or failed, without secrets.
    public func run(afterRead: () -> Void = {}, report: (String) -> Void) throws(StorageError) -> Summary {
        let rows = try store.all()
        afterRead()
        var summary = Summary()
        for row in rows where cipher.needsRotation(row.envelope) {
            rotate(row, into: &summary, report: report)
        }
        return summary
    }

    private func rotate(_ first: StoredCredentials, into summary: inout Summary, report: (String) -> Void) {
        var row = first
        for attempt in 1...maxAttempts {
            let binding = CredentialBinding(tenantID: row.tenantID, sourceID: row.sourceID)
            do {
                let envelope = try cipher.seal(try cipher.open(row.envelope, for: binding), for: binding)
                if try store.replace(sourceID: row.sourceID, expected: row.envelope, envelope: envelope,
                                     keyID: cipher.keyRing.currentKeyID) {
                    summary.resealed += 1
                    return
                }
                if attempt == 1 { summary.changed += 1 }
                guard let fresh = try store.sealed(sourceID: row.sourceID), cipher.needsRotation(fresh.envelope) else {
                    return  // deleted, or its writer sealed it with the current key
                }
                row = fresh
            } catch {
                summary.failed += 1
                report("\(row.sourceID) FAILED \(error)")
                return
            }
        }
        summary.skipped += 1
        report("\(row.sourceID) SKIPPED its credentials changed \(maxAttempts) times during the rotation; run it again")
    }
}

@available(*, unavailable)
extension CredentialRotation: Sendable {}

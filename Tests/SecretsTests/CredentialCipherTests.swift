import Crypto
import Foundation
import Secrets
import Testing

@Suite("CredentialCipher")
struct CredentialCipherTests {
    static let binding = CredentialBinding(tenantID: "tenant-a", sourceID: "source-1")
    static let secret = Array(#"{"client_secret":"s3cr3t-value"}"#.utf8)

    static func ring(_ ids: String...) throws -> MasterKeyRing {
        try MasterKeyRing(keys: ids.map { ($0, SymmetricKey(size: .bits256)) })
    }

    @Test("seal then open returns the plaintext; each seal uses a fresh nonce")
    func roundTrip() throws {
        let cipher = CredentialCipher(keyRing: try Self.ring("k1"))
        let sealed = try cipher.seal(Self.secret, for: Self.binding)
        #expect(try cipher.open(sealed, for: Self.binding) == Self.secret)
        #expect(try cipher.seal(Self.secret, for: Self.binding) != sealed)
        #expect(CredentialCipher.keyID(of: sealed) == "k1")
        // version + id length + "k1" + nonce + ciphertext + tag
        #expect(sealed.count == 1 + 1 + 2 + 12 + Self.secret.count + 16)
        #expect(sealed.prefix(4) == [1, 2, UInt8(ascii: "k"), UInt8(ascii: "1")])
        #expect(try cipher.open(cipher.seal([], for: Self.binding), for: Self.binding) == [])
    }

    @Test("ciphertext moved to another tenant or source does not open", arguments: [
        CredentialBinding(tenantID: "tenant-b", sourceID: "source-1"),
        CredentialBinding(tenantID: "tenant-a", sourceID: "source-2"),
        CredentialBinding(tenantID: "tenant-asource-1", sourceID: ""),
        CredentialBinding(tenantID: "", sourceID: "tenant-asource-1"),
    ])
    func wrongBinding(_ other: CredentialBinding) throws {
        let cipher = CredentialCipher(keyRing: try Self.ring("k1"))
        let sealed = try cipher.seal(Self.secret, for: Self.binding)
        let error = #expect(throws: SecretsError.self) { try cipher.open(sealed, for: other) }
        #expect(error?.code == .decryptionFailed)
        #expect(error?.message == "credentials could not be decrypted (wrong key or moved ciphertext)")
    }

    @Test("changing any single byte makes open fail")
    func tampering() throws {
        let cipher = CredentialCipher(keyRing: try Self.ring("k1", "k2"))
        let sealed = try cipher.seal(Self.secret, for: Self.binding)
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: SecretsError.self, "byte \(index)") { try cipher.open(tampered, for: Self.binding) }
        }
        // Truncated and extended envelopes fail too.
        for length in [0, 1, 3, 4 + 12 + 15, sealed.count - 1] {
            #expect(throws: SecretsError.self) { try cipher.open(Array(sealed.prefix(length)), for: Self.binding) }
        }
        #expect(throws: SecretsError.self) { try cipher.open(sealed + [0], for: Self.binding) }
    }

    @Test("a key id rewritten to another key of the ring does not open")
    func keyIDSwap() throws {
        let cipher = CredentialCipher(keyRing: try Self.ring("k1", "k2"))
        var sealed = try cipher.seal(Self.secret, for: Self.binding)
        sealed[3] = UInt8(ascii: "2")
        let error = #expect(throws: SecretsError.self) { try cipher.open(sealed, for: Self.binding) }
        #expect(error?.code == .decryptionFailed)
    }

    @Test("an older key in the ring still opens; new seals use the current key")
    func rotation() throws {
        let oldKey = SymmetricKey(size: .bits256)
        let before = CredentialCipher(keyRing: try MasterKeyRing(keys: [("k-old", oldKey)]))
        let sealedBefore = try before.seal(Self.secret, for: Self.binding)

        let after = CredentialCipher(
            keyRing: try MasterKeyRing(keys: [("k-new", SymmetricKey(size: .bits256)), ("k-old", oldKey)]))
        #expect(after.keyRing.currentKeyID == "k-new")
        #expect(try after.open(sealedBefore, for: Self.binding) == Self.secret)
        #expect(after.needsRotation(sealedBefore))

        let sealedAfter = try after.seal(Self.secret, for: Self.binding)
        #expect(CredentialCipher.keyID(of: sealedAfter) == "k-new")
        #expect(!after.needsRotation(sealedAfter))

        let rewrapped = try after.rewrap(sealedBefore, for: Self.binding)
        #expect(CredentialCipher.keyID(of: rewrapped) == "k-new")
        #expect(try after.open(rewrapped, for: Self.binding) == Self.secret)
        #expect(try after.rewrap(sealedAfter, for: Self.binding) == sealedAfter)
        #expect(throws: SecretsError.self) { try after.rewrap(sealedBefore, for: CredentialBinding(tenantID: "x", sourceID: "y")) }
    }

    @Test("an envelope sealed with a key that left the ring names it")
    func unknownKey() throws {
        let sealed = try CredentialCipher(keyRing: try Self.ring("k-gone")).seal(Self.secret, for: Self.binding)
        let cipher = CredentialCipher(keyRing: try Self.ring("k-current"))
        let error = #expect(throws: SecretsError.self) { try cipher.open(sealed, for: Self.binding) }
        #expect(error?.code == .unknownKey)
        #expect(error?.message == "credentials were sealed with key 'k-gone' which is not in the key ring")
    }

    @Test("the same key under another id does not open (the id is authenticated)")
    func sameKeyOtherID() throws {
        let key = SymmetricKey(size: .bits256)
        var sealed = try CredentialCipher(keyRing: MasterKeyRing(keys: [("ka", key)])).seal(Self.secret, for: Self.binding)
        sealed[3] = UInt8(ascii: "b")
        let cipher = CredentialCipher(keyRing: try MasterKeyRing(keys: [("kb", key)]))
        #expect(throws: SecretsError.self) { try cipher.open(sealed, for: Self.binding) }
    }

    @Test("unreadable envelopes have no key id and say why without content")
    func malformed() throws {
        #expect(CredentialCipher.keyID(of: []) == nil)
        #expect(CredentialCipher.keyID(of: [2, 1, 65]) == nil)
        let cipher = CredentialCipher(keyRing: try Self.ring("k1"))
        let error = #expect(throws: SecretsError.self) { try cipher.open([9] + Self.secret, for: Self.binding) }
        #expect(error?.message == "unsupported credential envelope version 9")
    }

    @Test("fingerprints are stable, short, and differ by binding, plaintext and key")
    func fingerprint() throws {
        let ring = try Self.ring("k1")
        let cipher = CredentialCipher(keyRing: ring)
        let print = cipher.fingerprint(of: Self.secret, for: Self.binding)
        #expect(print.hasPrefix("sha256:"))
        #expect(print.count == "sha256:".count + 16)
        #expect(print.dropFirst(7).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(CredentialCipher(keyRing: ring).fingerprint(of: Self.secret, for: Self.binding) == print)
        #expect(cipher.fingerprint(of: Self.secret + [0], for: Self.binding) != print)
        #expect(cipher.fingerprint(of: Self.secret, for: CredentialBinding(tenantID: "tenant-a", sourceID: "source-2")) != print)
        #expect(CredentialCipher(keyRing: try Self.ring("k1")).fingerprint(of: Self.secret, for: Self.binding) != print)
        // Not a plain hash of the plaintext.
        let plainHash = SHA256.hash(data: Self.secret).map { String(format: "%02x", $0) }.joined()
        #expect(!plainHash.hasPrefix(String(print.dropFirst(7))))
    }
}

import Crypto
import Foundation
import Secrets
import Testing

@Suite("MasterKeyRing")
struct MasterKeyRingTests {
    static let keyA = Data(repeating: 0xA1, count: 32).base64EncodedString()
    static let keyB = Data(repeating: 0xB2, count: 32).base64EncodedString()

    @Test("parses ids and keys; the first key is current; comments and blank lines are skipped")
    func parse() throws {
        let ring = try MasterKeyRing.parse(
            """
            # header comment
              k-new   \(Self.keyA)

            \t# indented comment
            k-old\t\(Self.keyB)\r
            """)
        #expect(ring.currentKeyID == "k-new")
        #expect(ring.keyIDs == ["k-new", "k-old"])
        #expect(ring.contains(keyID: "k-old") && !ring.contains(keyID: "k-other"))
    }

    @Test("a key sealed under a parsed ring opens under a ring parsed from the same text")
    func parsedKeysAreTheKeys() throws {
        let text = "k1 \(Self.keyA)\n"
        let sealed = try CredentialCipher(keyRing: MasterKeyRing.parse(text))
            .seal(Array("x".utf8), for: CredentialBinding(tenantID: "t", sourceID: "s"))
        let opened = try CredentialCipher(keyRing: MasterKeyRing.parse(text))
            .open(sealed, for: CredentialBinding(tenantID: "t", sourceID: "s"))
        #expect(opened == Array("x".utf8))
    }

    /// (text, expected message). Every message must leave out the key material of the text.
    static let invalid: [(String, String)] = [
        ("", "no keys found (expected lines '<key-id> <base64-key>')"),
        ("# only a comment\n\n", "no keys found (expected lines '<key-id> <base64-key>')"),
        ("k1 not*base64!", "line 1: key 'k1' is not valid base64"),
        ("k1 \(Data(repeating: 7, count: 16).base64EncodedString())", "line 1: key 'k1' must be 32 bytes (256 bits), got 16"),
        ("k1 \(keyA)\nk1 \(keyB)", "line 2: duplicate key id 'k1'"),
        ("\(keyA)", "line 1: expected '<key-id> <base64-key>'"),
        ("k1 \(keyA) extra", "line 1: expected '<key-id> <base64-key>'"),
        ("\(keyA) k1", "line 1: invalid key id (use 1-64 letters, digits, '.', '_' or '-')"),
        ("k/1 \(keyA)", "line 1: invalid key id (use 1-64 letters, digits, '.', '_' or '-')"),
    ]

    @Test("invalid key files are refused with messages that contain no key material", arguments: invalid)
    func invalidText(text: String, message: String) {
        let error = #expect(throws: SecretsError.self) { try MasterKeyRing.parse(text) }
        #expect(error?.message == message)
        #expect(error?.code == .invalidKeyRing)
        #expect(!(error?.message.contains(Self.keyA) ?? true) && !(error?.message.contains(Self.keyB) ?? true))
    }

    @Test("description and dump show key ids only")
    func redaction() throws {
        let ring = try MasterKeyRing.parse("k1 \(Self.keyA)")
        var dumped = ""
        dump(ring, to: &dumped)
        for text in [ring.description, "\(ring)", String(reflecting: ring), dumped] {
            #expect(text.contains("k1"))
            #expect(!text.contains(Self.keyA))
            #expect(!text.contains("161, 161"))  // 0xA1 bytes
        }
    }

    @Test("a generated key file parses, has a dated id and explains itself")
    func generate() throws {
        let date = Date(timeIntervalSince1970: 1_795_737_600)  // 2026-11-27
        let text = MasterKeyRing.generateKeyFile(date: date)
        let ring = try MasterKeyRing.parse(text)
        #expect(ring.keyIDs.count == 1)
        #expect(ring.currentKeyID.hasPrefix("k-20261127-"))
        #expect(ring.currentKeyID.count == "k-20261127-".count + 8)
        #expect(text.hasPrefix("#"))
        #expect(text.contains("<key-id> <base64 of 32 random bytes>"))
        #expect(MasterKeyRing.generateKeyFile() != MasterKeyRing.generateKeyFile())
        #expect(try MasterKeyRing.parse(MasterKeyRing.generateKeyFile()).currentKeyID.hasPrefix("k-"))
    }

    @Test("adding a fresh key puts it on top and keeps the old keys and comments")
    func addKey() throws {
        let original = MasterKeyRing.generateKeyFile()
        let oldRing = try MasterKeyRing.parse(original)
        let rotated = try MasterKeyRing.addingFreshKey(to: original)
        let ring = try MasterKeyRing.parse(rotated)
        #expect(ring.keyIDs.count == 2)
        #expect(ring.keyIDs[1] == oldRing.currentKeyID)
        #expect(ring.currentKeyID != oldRing.currentKeyID)
        #expect(rotated.hasPrefix(original.prefix { $0 != "\n" }))
        #expect(throws: SecretsError.self) { try MasterKeyRing.addingFreshKey(to: "") }
    }

    @Test("rings built in code validate their keys")
    func programmatic() {
        #expect(throws: SecretsError.self) { try MasterKeyRing(keys: []) }
        #expect(throws: SecretsError.self) { try MasterKeyRing(keys: [("k", SymmetricKey(size: .bits128))]) }
        #expect(throws: SecretsError.self) { try MasterKeyRing(keys: [("bad id", SymmetricKey(size: .bits256))]) }
        #expect(throws: SecretsError.self) {
            try MasterKeyRing(keys: [("k", SymmetricKey(size: .bits256)), ("k", SymmetricKey(size: .bits256))])
        }
    }
}

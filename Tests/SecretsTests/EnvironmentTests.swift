import Foundation
import Secrets
import Testing

@Suite("MasterKeyRing.fromEnvironment")
struct EnvironmentTests {
    static let keyA = Data(repeating: 0xA1, count: 32).base64EncodedString()
    static let keyB = Data(repeating: 0xB2, count: 32).base64EncodedString()

    /// A key file in a fresh temporary directory, removed after `body`.
    func withKeyFile<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("master.key")
        try Data(text.utf8).write(to: file)
        return try body(file.path)
    }

    @Test("SIEM_MASTER_KEY holds key ring text")
    func inlineRing() throws {
        let ring = try MasterKeyRing.fromEnvironment(["SIEM_MASTER_KEY": "# c\nk2 \(Self.keyB)\nk1 \(Self.keyA)\n"])
        #expect(ring.keyIDs == ["k2", "k1"])
    }

    @Test("SIEM_MASTER_KEY may be a bare base64 key, which gets the id 'default'")
    func bareKey() throws {
        let ring = try MasterKeyRing.fromEnvironment(["SIEM_MASTER_KEY": " \(Self.keyA)\n"])
        #expect(ring.keyIDs == ["default"])
    }

    @Test("SIEM_MASTER_KEY_FILE names a key file")
    func file() throws {
        try withKeyFile("k-file \(Self.keyA)\n") { path in
            let ring = try MasterKeyRing.fromEnvironment(["SIEM_MASTER_KEY_FILE": path])
            #expect(ring.currentKeyID == "k-file")
        }
    }

    @Test("SIEM_MASTER_KEY wins over SIEM_MASTER_KEY_FILE; an empty one counts as unset")
    func precedence() throws {
        try withKeyFile("k-file \(Self.keyA)\n") { path in
            let both = try MasterKeyRing.fromEnvironment([
                "SIEM_MASTER_KEY": "k-inline \(Self.keyB)", "SIEM_MASTER_KEY_FILE": path,
            ])
            #expect(both.currentKeyID == "k-inline")
            let empty = try MasterKeyRing.fromEnvironment(["SIEM_MASTER_KEY": " \n", "SIEM_MASTER_KEY_FILE": path])
            #expect(empty.currentKeyID == "k-file")
        }
    }

    @Test("errors name the variable and never the key material")
    func errors() throws {
        let missing = #expect(throws: SecretsError.self) { try MasterKeyRing.fromEnvironment([:]) }
        #expect(missing?.code == .missingConfiguration)
        #expect(missing?.message.contains("SIEM_MASTER_KEY") == true)
        #expect(missing?.message.contains("SIEM_MASTER_KEY_FILE") == true)

        let shortKey = Data(repeating: 0xC3, count: 16).base64EncodedString()
        let bare = #expect(throws: SecretsError.self) { try MasterKeyRing.fromEnvironment(["SIEM_MASTER_KEY": shortKey]) }
        #expect(bare?.message.hasPrefix("SIEM_MASTER_KEY: ") == true)
        #expect(bare?.message.contains(shortKey) == false)

        let inline = #expect(throws: SecretsError.self) {
            try MasterKeyRing.fromEnvironment(["SIEM_MASTER_KEY": "k1 \(Self.keyA)\nk1 \(Self.keyB)"])
        }
        #expect(inline?.message == "SIEM_MASTER_KEY: line 2: duplicate key id 'k1'")

        let unreadable = #expect(throws: SecretsError.self) {
            try MasterKeyRing.fromEnvironment(["SIEM_MASTER_KEY_FILE": "/nonexistent/master.key"])
        }
        #expect(unreadable?.message == "SIEM_MASTER_KEY_FILE: cannot read '/nonexistent/master.key'")
        #expect(unreadable?.code == .missingConfiguration)

        try withKeyFile("k1 \(Self.keyA.dropLast(4))\n") { path in
            let invalid = #expect(throws: SecretsError.self) { try MasterKeyRing.fromEnvironment(["SIEM_MASTER_KEY_FILE": path]) }
            #expect(invalid?.message == "SIEM_MASTER_KEY_FILE '\(path)': line 1: key 'k1' must be 32 bytes (256 bits), got 30")
            #expect(invalid?.message.contains(String(Self.keyA.dropLast(4))) == false)
        }
    }
}

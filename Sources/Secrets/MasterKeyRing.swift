import Crypto
import Foundation

/// The master keys: one current key that seals, older ones that still open.
///
/// Key ring text format (what `SIEM_MASTER_KEY` holds inline and `SIEM_MASTER_KEY_FILE` points to):
///
///     # comment lines start with '#'; blank lines are ignored
///     k-20261127-3fa2c1d9 q3Jx…base64 of exactly 32 random bytes…=
///     k-20250101-0b1e2f3a older key, still able to open what it sealed
///
/// One key per line: a key id (1–64 of `A-Z a-z 0-9 . _ -`), whitespace, the standard base64 of
/// 32 bytes (AES-256). The FIRST key line is current and seals; later lines only open (rotation:
/// put a new key on top, re-seal with `CredentialCipher.rewrap`, then drop the old line).
///
/// `description` and reflection show key ids only, never key bytes.
public struct MasterKeyRing: Sendable, CustomStringConvertible, CustomReflectable {
    /// The id of the key that seals new envelopes (the first key line).
    public let currentKeyID: String
    /// All key ids, current first, in file order.
    public let keyIDs: [String]
    private let keys: [String: SymmetricKey]

    /// Builds a ring from keys, current first. Each key must be 256 bits, ids unique and well-formed.
    public init(keys: [(id: String, key: SymmetricKey)]) throws(SecretsError) {
        guard let first = keys.first else {
            throw SecretsError(code: .invalidKeyRing, "the key ring has no keys")
        }
        var byID: [String: SymmetricKey] = [:]
        for (id, key) in keys {
            guard Self.isValidKeyID(id) else { throw SecretsError(code: .invalidKeyRing, Self.invalidIDMessage) }
            guard key.bitCount == 256 else {
                throw SecretsError(code: .invalidKeyRing, "key '\(id)' must be 256 bits, got \(key.bitCount)")
            }
            guard byID.updateValue(key, forKey: id) == nil else {
                throw SecretsError(code: .invalidKeyRing, "duplicate key id '\(id)'")
            }
        }
        self.currentKeyID = first.id
        self.keyIDs = keys.map(\.id)
        self.keys = byID
    }

    /// Whether the ring can open envelopes sealed with `keyID`.
    public func contains(keyID: String) -> Bool { keys[keyID] != nil }

    func key(for id: String) -> SymmetricKey? { keys[id] }

    var currentKey: SymmetricKey { keys[currentKeyID]! }

    /// Key ids only.
    public var description: String { "MasterKeyRing(current: \(currentKeyID), keys: \(keyIDs))" }

    /// Hides the key bytes from `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(self, children: ["currentKeyID": currentKeyID, "keyIDs": keyIDs], displayStyle: .struct)
    }

    // MARK: Loading

    /// Loads from `SIEM_MASTER_KEY` (the key ring text inline, or a bare base64 32-byte key that gets
    /// the id `default`) or else from the file named by `SIEM_MASTER_KEY_FILE`. An empty variable
    /// counts as unset. Errors name the variable, never the key material.
    public static func fromEnvironment(_ environment: [String: String]) throws(SecretsError) -> MasterKeyRing {
        if let inline = environment["SIEM_MASTER_KEY"], !inline.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return try parseInline(inline, variable: "SIEM_MASTER_KEY")
        }
        if let path = environment["SIEM_MASTER_KEY_FILE"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SecretsError(code: .missingConfiguration, "SIEM_MASTER_KEY_FILE: cannot read '\(path)'")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw SecretsError(code: .invalidKeyRing, "SIEM_MASTER_KEY_FILE: '\(path)' is not UTF-8 text")
            }
            do {
                return try parse(text)
            } catch {
                throw SecretsError(code: error.code, "SIEM_MASTER_KEY_FILE '\(path)': \(error.message)")
            }
        }
        throw SecretsError(
            code: .missingConfiguration,
            "no master key: set SIEM_MASTER_KEY (key ring text) or SIEM_MASTER_KEY_FILE (path to a key file; "
                + "create one with 'siem-ctl generate-master-key')"
        )
    }

    private static func parseInline(_ text: String, variable: String) throws(SecretsError) -> MasterKeyRing {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.contains(where: \.isWhitespace), !trimmed.hasPrefix("#") {
            // A single token is a bare key, never a key id, so nothing of it is echoed.
            guard let bytes = Data(base64Encoded: trimmed), bytes.count == 32 else {
                throw SecretsError(
                    code: .invalidKeyRing,
                    "\(variable): expected key ring lines '<key-id> <base64-key>' or a bare base64 key of 32 bytes"
                )
            }
            return try MasterKeyRing(keys: [("default", SymmetricKey(data: bytes))])
        }
        do {
            return try parse(text)
        } catch {
            throw SecretsError(code: error.code, "\(variable): \(error.message)")
        }
    }

    /// Parses the key ring text format documented on the type.
    public static func parse(_ text: String) throws(SecretsError) -> MasterKeyRing {
        var keys: [(id: String, key: SymmetricKey)] = []
        var seen: Set<String> = []
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2 else {
                throw SecretsError(code: .invalidKeyRing, "line \(number): expected '<key-id> <base64-key>'")
            }
            let id = String(fields[0])
            // An invalid id may be misplaced key material: say where, not what.
            guard isValidKeyID(id) else {
                throw SecretsError(code: .invalidKeyRing, "line \(number): \(invalidIDMessage)")
            }
            guard let bytes = Data(base64Encoded: String(fields[1])) else {
                throw SecretsError(code: .invalidKeyRing, "line \(number): key '\(id)' is not valid base64")
            }
            guard bytes.count == 32 else {
                throw SecretsError(
                    code: .invalidKeyRing, "line \(number): key '\(id)' must be 32 bytes (256 bits), got \(bytes.count)")
            }
            guard seen.insert(id).inserted else {
                throw SecretsError(code: .invalidKeyRing, "line \(number): duplicate key id '\(id)'")
            }
            keys.append((id, SymmetricKey(data: bytes)))
        }
        guard !keys.isEmpty else {
            throw SecretsError(code: .invalidKeyRing, "no keys found (expected lines '<key-id> <base64-key>')")
        }
        return try MasterKeyRing(keys: keys)
    }

    static func isValidKeyID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default:
                    false
                }
            }
    }

    private static let invalidIDMessage = "invalid key id (use 1-64 letters, digits, '.', '_' or '-')"

    // MARK: Generating

    /// A new key file's text with one fresh random 256-bit key (see the type for the format).
    public static func generateKeyFile() -> String { generateKeyFile(date: Date()) }

    /// A new key file's text; `date` goes into the key id (`k-YYYYMMDD-<8 random hex>`).
    public static func generateKeyFile(date: Date) -> String {
        fileHeader + generateKeyLine(date: date) + "\n"
    }

    /// The key ring `existing` with a fresh key on top: it becomes current, the old keys stay
    /// to open what they sealed. The text is validated first; comments are kept.
    public static func addingFreshKey(to existing: String, date: Date = Date()) throws(SecretsError) -> String {
        let ring = try parse(existing)
        var newLine = generateKeyLine(date: date)
        while ring.contains(keyID: String(newLine.prefix { $0 != " " })) {
            newLine = generateKeyLine(date: date)
        }
        var lines = existing.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        let firstKey = lines.firstIndex {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return !line.isEmpty && !line.hasPrefix("#")
        }!
        lines.insert(newLine, at: firstKey)
        return lines.joined(separator: "\n")
    }

    /// One `<key-id> <base64-key>` line with a fresh key from swift-crypto's CSPRNG.
    public static func generateKeyLine(date: Date = Date()) -> String {
        let key = SymmetricKey(size: .bits256)
        let base64 = key.withUnsafeBytes { Data($0).base64EncodedString() }
        let suffix = String(format: "%08x", UInt32.random(in: .min ... .max))
        return "k-\(utcDayStamp(date))-\(suffix) \(base64)"
    }

    private static let fileHeader = """
        # siem-collector master key ring. Format: one key per line, '<key-id> <base64 of 32 random bytes>'.
        # The FIRST key line seals new credentials; keys below it only open credentials sealed earlier (rotation).
        # Lines starting with '#' are comments. Keep this file secret (chmod 600): losing it loses every stored credential.

        """

    private static func utcDayStamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let two = { (value: Int?) in value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 0)\(two(parts.month))\(two(parts.day))"
    }
}

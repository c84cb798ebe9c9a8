/// What a sealed credential is bound to: ciphertext moved to another row fails to open.
public struct CredentialBinding: Sendable, Hashable {
    /// The tenant that owns the source.
    public var tenantID: String
    /// The source whose credentials these are.
    public var sourceID: String

    /// Binds to one tenant's source.
    public init(tenantID: String, sourceID: String) {
        self.tenantID = tenantID
        self.sourceID = sourceID
    }

    /// Both ids, each length-prefixed (UInt32 big-endian), so no two bindings encode alike
    /// (`("a|b", "c")` and `("a", "b|c")` differ).
    var encoded: [UInt8] {
        var bytes: [UInt8] = []
        for part in [tenantID, sourceID] {
            let utf8 = Array(part.utf8)
            bytes.appendBigEndian(UInt32(truncatingIfNeeded: utf8.count))
            bytes.append(contentsOf: utf8)
        }
        return bytes
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }
}

import Crypto
import Foundation

/// Recently verified tokens, so a token reused across requests is verified once a minute.
///
/// Keyed by the token's SHA-256 (the token itself is never stored). An entry serves only while
/// `now` is inside [`validFrom`, `validUntil`), where `validUntil` is min(`exp`, verification + 60 s):
/// an expired token is never served, and a revoked key stops working within a minute.
struct TokenCache {
    struct Entry {
        var identity: Identity
        var validFrom: Date
        var validUntil: Date
    }

    static let lifetime: TimeInterval = 60

    let capacity: Int
    private var entries: [SHA256Digest: Entry] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    mutating func removeAll() { entries.removeAll() }

    mutating func lookup(_ key: SHA256Digest, now: Date) -> Identity? {
        guard let entry = entries[key] else { return nil }
        guard entry.validFrom <= now, now < entry.validUntil else {
            entries[key] = nil
            return nil
        }
        return entry.identity
    }

    mutating func insert(_ key: SHA256Digest, identity: Identity, validFrom: Date, now: Date) {
        let validUntil = min(identity.expiresAt, now.addingTimeInterval(Self.lifetime))
        guard now < validUntil, capacity > 0 else { return }
        if entries[key] == nil, entries.count >= capacity {
            entries = entries.filter { now < $0.value.validUntil }
            if entries.count >= capacity, let victim = entries.keys.first {
                // Any entry will do: at worst one token gets verified once more.
                entries[victim] = nil
            }
        }
        entries[key] = Entry(identity: identity, validFrom: validFrom, validUntil: validUntil)
    }
}

/// Duplicate key detection. RFC 8259 only says names SHOULD be unique, but two
/// consumers of one audit record must never disagree on which value a key has
/// (first-wins vs last-wins), so duplicates are rejected outright.
extension Validator {
    /// Records a key of the innermost object; throws if it repeats one already seen there.
    /// `offset` is where the key's opening quote is, for the error.
    mutating func record(_ key: KeyRef, at offset: Int) throws(JSONError) {
        let top = frames.count - 1
        if frames[top].keyTable != nil {
            let decoded = StringDecoding.bytes(p, key.start, key.end)
            guard frames[top].keyTable!.insert(decoded).inserted else { throw duplicate(decoded, offset) }
            return
        }
        let start = frames[top].keysStart
        for k in start..<keys.count where equal(keys[k], key) {
            throw duplicate(StringDecoding.bytes(p, key.start, key.end), offset)
        }
        keys.append(key)
        if keys.count - start > Self.linearKeyLimit {
            // Large object: switch to hashing so the check stays linear overall.
            var table = Set<[UInt8]>(minimumCapacity: 64)
            for k in start..<keys.count { table.insert(StringDecoding.bytes(p, keys[k].start, keys[k].end)) }
            frames[top].keyTable = table
            keys.removeSubrange(start...)
        }
    }

    private func equal(_ a: KeyRef, _ b: KeyRef) -> Bool {
        if !a.escaped && !b.escaped {
            let length = a.end - a.start
            guard length == b.end - b.start else { return false }
            for k in 0..<length where p[a.start &+ k] != p[b.start &+ k] { return false }
            return true
        }
        // Escapes can spell one key two ways ("a" and "\u0061"): compare decoded.
        return StringDecoding.bytes(p, a.start, a.end) == StringDecoding.bytes(p, b.start, b.end)
    }

    private func duplicate(_ key: [UInt8], _ offset: Int) -> JSONError {
        var quoted = JSONWriter(reservingCapacity: key.count + 2)
        quoted.string(utf8: key)
        return JSONError(offset: offset, reason: "duplicate key \(String(decoding: quoted.bytes, as: UTF8.self))")
    }
}

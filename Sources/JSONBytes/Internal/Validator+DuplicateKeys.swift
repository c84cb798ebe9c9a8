/// Duplicate key detection. RFC 8259 only says names SHOULD be unique, but two
/// consumers of one audit record must never disagree on which value a key has
/// (first-wins vs last-wins), so duplicates are rejected outright.
extension Validator {
    /// Records a key of the innermost object; throws if it repeats one already seen there.
    /// `offset` is where the key's opening quote is, for the error.
    @inline(__always)
    mutating func record(_ key: KeyRef, at offset: Int) throws(JSONError) {
        let top = frames.count &- 1
        let frame = frames[top]
        if frame.table < 0 {
            // A 64-bit Bloom filter of the object's keys: most keys hit an empty bit
            // and need no comparison at all. Escaped keys disable it for the object,
            // since their raw bytes do not say what they decode to.
            let length = key.end &- key.start
            let hash = (key.prefix ^ UInt64(truncatingIfNeeded: length)) &* 0x9E37_79B9_7F4A_7C15
            let bit: UInt64 = 1 &<< (hash &>> 58)
            let mayRepeat = frame.bloom & bit != 0 || frame.anyEscaped || key.escaped
            frames[top].bloom |= bit
            frames[top].anyEscaped = frame.anyEscaped || key.escaped
            if mayRepeat || keys.count &- frame.keysStart >= Self.linearKeyLimit {
                try recordSlowly(key, at: offset)
            } else {
                keys.append(key)
            }
        } else {
            try recordSlowly(key, at: offset)
        }
    }

    private mutating func recordSlowly(_ key: KeyRef, at offset: Int) throws(JSONError) {
        let frame = frames[frames.count - 1]
        if frame.table >= 0 {
            let decoded = StringDecoding.bytes(p, key.start, key.end)
            guard keyTables[frame.table].insert(decoded).inserted else { throw duplicate(decoded, offset) }
            return
        }
        let clash = keys.elements(from: frame.keysStart).contains { equal($0, key) }
        if clash { throw duplicate(StringDecoding.bytes(p, key.start, key.end), offset) }
        keys.append(key)
        if keys.count - frame.keysStart > Self.linearKeyLimit {
            // Large object: switch to hashing so the check stays linear overall.
            var table = Set<[UInt8]>(minimumCapacity: 64)
            for k in frame.keysStart..<keys.count { table.insert(StringDecoding.bytes(p, keys[k].start, keys[k].end)) }
            keyTables.append(table)
            frames[frames.count - 1].table = keyTables.count - 1
            keys.removeAll(from: frame.keysStart)
        }
    }

    @inline(__always)
    private func equal(_ a: KeyRef, _ b: KeyRef) -> Bool {
        if !a.escaped && !b.escaped {
            let length = a.end &- a.start
            guard a.prefix == b.prefix, length == b.end &- b.start else { return false }
            var k = 8
            while k < length {
                if p[a.start &+ k] != p[b.start &+ k] { return false }
                k &+= 1
            }
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

/// A streaming JSON writer into a byte buffer. Commas and colons are inserted
/// automatically; the caller is responsible for balanced begin/end calls.
///
/// Misuse (a value directly inside an object without `key`, a key inside an array,
/// unbalanced ends) trips an assertion in debug builds.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public internal(set) var bytes: [UInt8] = []

    /// What the next token needs in front of it.
    enum Position: Sendable {
        /// Start of the document or just after an opening bracket: nothing.
        case first
        /// After a complete value or member: a comma.
        case afterValue
        /// After a key and its colon: nothing, and a value must follow.
        case afterKey
    }

    var position = Position.first
    /// Open containers, innermost last (`true` for objects). Only consulted by
    /// assertions, so it costs an append per container.
    var containers: [Bool] = []

    /// Creates an empty writer whose buffer has room for `reservingCapacity` bytes.
    public init(reservingCapacity: Int = 1024) {
        bytes.reserveCapacity(reservingCapacity)
    }

    /// Empties the writer for the next document, keeping its buffers' capacity: a
    /// writer reused per event allocates nothing once it has grown to the largest event.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        containers.removeAll(keepingCapacity: true)
        position = .first
    }

    /// Opens an object (`{`).
    public mutating func beginObject() {
        beginValue()
        bytes.append(ASCII.openBrace)
        containers.append(true)
        position = .first
    }

    /// Closes the innermost object (`}`).
    public mutating func endObject() {
        assert(containers.last == true && position != .afterKey, "JSONWriter: endObject without a matching beginObject")
        containers.removeLast()
        bytes.append(ASCII.closeBrace)
        position = .afterValue
    }

    /// Opens an array (`[`).
    public mutating func beginArray() {
        beginValue()
        bytes.append(ASCII.openBracket)
        containers.append(false)
        position = .first
    }

    /// Closes the innermost array (`]`).
    public mutating func endArray() {
        assert(containers.last == false, "JSONWriter: endArray without a matching beginArray")
        containers.removeLast()
        bytes.append(ASCII.closeBracket)
        position = .afterValue
    }

    /// Writes an object key (escaped).
    public mutating func key(_ name: String) {
        assert(containers.last == true && position != .afterKey, "JSONWriter: key outside an object or after a key")
        if position == .afterValue { bytes.append(ASCII.comma) }
        appendQuoted(name)
        bytes.append(ASCII.colon)
        position = .afterKey
    }

    /// Writes an object key given as a literal that needs no escaping (plain
    /// ASCII, no quote or backslash): copied as is, for renderers of fixed shapes.
    public mutating func key(ascii name: StaticString) {
        assert(containers.last == true && position != .afterKey, "JSONWriter: key outside an object or after a key")
        assert(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
            .allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != ASCII.quote && $0 != ASCII.backslash },
               "JSONWriter: key(ascii:) needs escaping")
        // Assembled on the stack and appended once: four small appends cost more than the copy.
        let count = name.utf8CodeUnitCount
        let comma = position == .afterValue
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 4) { buffer in
            var i = 0
            if comma { buffer[0] = ASCII.comma; i = 1 }
            buffer[i] = ASCII.quote
            UnsafeMutableRawPointer(buffer.baseAddress! + i + 1).copyMemory(from: name.utf8Start, byteCount: count)
            i += count + 1
            buffer[i] = ASCII.quote
            buffer[i + 1] = ASCII.colon
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<(i + 2)]))
        }
        position = .afterKey
    }

    /// Writes a string value (escaped).
    public mutating func string(_ value: String) {
        beginValue()
        appendQuoted(value)
        position = .afterValue
    }

    /// Writes a string value, or `null` when `value` is nil.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// Writes a string value whose UTF-8 text is `utf8` (escaped), without building a
    /// `String`. The bytes must be valid UTF-8 (anything taken from a `RawJSON` is):
    /// they are copied as they are apart from escaping.
    public mutating func string<Bytes: Collection<UInt8>>(utf8: Bytes) {
        beginValue()
        let done: Void? = utf8.withContiguousStorageIfAvailable { appendQuoted($0) }
        if done == nil { Array(utf8).withUnsafeBufferPointer { appendQuoted($0) } }
        position = .afterValue
    }

    /// `string(utf8:)` for bytes already in memory, without the generic detour.
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        beginValue()
        appendQuoted(utf8)
        position = .afterValue
    }

    /// Writes the JSON text of `json` as a string value, e.g. an event's verbatim
    /// `raw_log` inside a normalized record. No re-encoding: the bytes are escaped
    /// straight from the source document.
    public mutating func string(jsonText json: RawJSON) {
        beginValue()
        json.withUnsafeBytes { appendQuoted($0.assumingMemoryBound(to: UInt8.self)) }
        position = .afterValue
    }

    /// Writes an integer.
    public mutating func int(_ value: Int) {
        beginValue()
        appendDecimal(value)
        position = .afterValue
    }

    /// Writes a number given as JSON number text, as is (trusted, not re-validated).
    public mutating func number(_ text: String) {
        beginValue()
        bytes.append(contentsOf: text.utf8)
        position = .afterValue
    }

    /// Writes a floating-point number in Swift's shortest round-trip form; JSON has
    /// no NaN or infinity, so those become `null`.
    public mutating func double(_ value: Double) {
        guard value.isFinite else { return null() }
        beginValue()
        bytes.append(contentsOf: value.description.utf8)
        position = .afterValue
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        beginValue()
        appendLiteral(value ? "true" : "false")
        position = .afterValue
    }

    /// Writes `null`.
    public mutating func null() {
        beginValue()
        appendLiteral("null")
        position = .afterValue
    }

    /// Appends already-serialized JSON as one value (trusted input, not re-validated).
    public mutating func raw<Bytes: Sequence<UInt8>>(_ json: Bytes) {
        beginValue()
        bytes.append(contentsOf: json)
        position = .afterValue
    }

    /// `raw(_:)` for bytes already in memory, without the generic detour.
    public mutating func raw(_ json: UnsafeBufferPointer<UInt8>) {
        beginValue()
        bytes.append(contentsOf: json)
        position = .afterValue
    }

    /// Appends a validated value's bytes verbatim as one value.
    public mutating func raw(_ json: RawJSON) {
        json.withUnsafeBytes { raw($0.assumingMemoryBound(to: UInt8.self)) }
    }

    /// Writes a whole tree.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null:
            null()
        case .bool(let flag):
            bool(flag)
        case .number(let text):
            number(text)
        case .string(let text):
            string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    /// The comma a value needs after a sibling.
    @inline(__always)
    private mutating func beginValue() {
        assert(containers.last != true || position == .afterKey, "JSONWriter: value inside an object needs a key first")
        if position == .afterValue { bytes.append(ASCII.comma) }
    }

    @inline(__always)
    private mutating func appendLiteral(_ word: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    private mutating func appendDecimal(_ value: Int) {
        // Digits come out lowest first; fill a small stack buffer from the back.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = value.magnitude
            var k = 20
            repeat {
                k -= 1
                digits[k] = ASCII.zero &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            if value < 0 { bytes.append(ASCII.minus) }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[k..<20]))
        }
    }
}

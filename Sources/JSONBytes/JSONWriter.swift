// STUB — to be implemented by the JSONBytes work. Signatures are the contract.

/// A streaming JSON writer into a byte buffer. Commas and colons are inserted
/// automatically; the caller is responsible for balanced begin/end calls.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public init(reservingCapacity: Int = 1024) {}
    public mutating func beginObject() {}
    public mutating func endObject() {}
    public mutating func beginArray() {}
    public mutating func endArray() {}
    /// Writes an object key (escaped).
    public mutating func key(_ name: String) {}
    public mutating func string(_ value: String) {}
    public mutating func string(_ value: String?) {}  // null when nil
    public mutating func int(_ value: Int) {}
    public mutating func bool(_ value: Bool) {}
    public mutating func null() {}
    /// Appends already-serialized JSON as one value (trusted input, not re-validated).
    public mutating func raw<Bytes: Sequence<UInt8>>(_ json: Bytes) {}
    public mutating func value(_ value: JSONValue) {}
}

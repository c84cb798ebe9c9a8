/// Object members serialized once and written into many objects: the fields every
/// record of a batch shares (who it came from, when it was ingested) cost one copy
/// per record instead of an escape scan per key and value.
extension JSONWriter {
    /// The members (`"key":value` pairs, comma-separated) of one object, already serialized.
    public struct Members: Sendable {
        /// The members' JSON text, without the braces.
        public let bytes: [UInt8]

        /// Serializes the members `write` writes into an object (keys and values,
        /// with the writer's usual escaping).
        public init(_ write: (inout JSONWriter) -> Void) {
            var writer = JSONWriter(reservingCapacity: 256)
            writer.beginObject()
            write(&writer)
            writer.endObject()
            bytes = Array(writer.bytes.dropFirst().dropLast())
        }
    }

    /// Writes prepared members into the current object, as if each had been written here.
    public mutating func members(_ members: Members) {
        assert(containers.last == true && position != .afterKey, "JSONWriter: members outside an object or after a key")
        guard !members.bytes.isEmpty else { return }
        if position == .afterValue { bytes.append(ASCII.comma) }
        bytes.append(contentsOf: members.bytes)
        position = .afterValue
    }
}

public import JSONBytes
internal import UTCTime

/// The poller's per-event twin of ``NormalizedEventWriter``: the same bytes (tests compare
/// the two), assembled in one buffer the encoder keeps, as a few plain copies. The
/// general writer spends most of its time per event on bookkeeping (a bounds-checked
/// append per key and value, a generic call per timestamp); this does not.
///
/// It covers the common case only: an event of the constants' log type whose id needs no
/// escaping, delivered whole. For anything else ``encode(_:shared:)`` returns nil and the
/// caller writes the event with ``NormalizedEventWriter``.
public final class NormalizedEventEncoder {
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Past this, a buffer that grew for one huge event is given back after it.
    private static let keptCapacity = 256 * 1024

    public init(capacity: Int = 16_384) {
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// The normalized JSON of `event`, valid until the next call; nil when the event is not
    /// one this encoder covers (see the type's documentation).
    public func encode(_ event: ProviderEvent, shared: NormalizedEventConstants) -> UnsafeRawBufferPointer? {
        guard shared.logType == event.logType else { return nil }
        var id = event.id
        return id.withUTF8 { id -> UnsafeRawBufferPointer? in
            guard !JSONWriter.needsEscaping(id) else { return nil }
            return event.raw.withUnsafeBytes { raw in
                shared.members.bytes.withUnsafeBytes { members in
                    let fields = event.fields
                    let bound = Self.fixedBytes + id.count + UTCTimestamp.maxRFC3339Length + members.count + raw.count
                        + Self.bound(fields.user) + Self.bound(fields.activity) + Self.bound(fields.sourceIP)
                        + Self.bound(fields.application)
                    reserve(bound)
                    var out = Output(base: buffer)
                    Self.head.withUnsafeBytes { out.put($0) }
                    out.put(UnsafeRawBufferPointer(id))
                    out.put("\",\"timestamp\":\"")
                    out.count += (event.reportedTime ?? event.time).writeRFC3339(into: out.base + out.count)
                    out.put("\",\"user\":")
                    out.put(field: fields.user)
                    out.put(",\"activity\":")
                    out.put(field: fields.activity)
                    switch fields.result {
                    case .success?: out.put(",\"result\":\"success\"")
                    case .failure?: out.put(",\"result\":\"failure\"")
                    case nil: out.put(",\"result\":null")
                    }
                    out.put(",\"source_ip\":")
                    out.put(field: fields.sourceIP)
                    out.put(",\"application\":")
                    out.put(field: fields.application)
                    if members.count > 0 {
                        out.put(",")
                        out.put(members)
                    }
                    out.put(",\"raw_log\":")
                    out.put(raw)
                    out.put("}")
                    assert(out.count <= bound)
                    return UnsafeRawBufferPointer(start: buffer, count: out.count)
                }
            }
        }
    }

    /// Everything before the id, with the writer's schema version.
    private static let head = Array("{\"schema_version\":\(NormalizedEventWriter.schemaVersion),\"event_id\":\"".utf8)

    /// The literal parts' total length (keys, punctuation, the longest result), generously.
    private static let fixedBytes = 192

    /// The most a field can take: its text in quotes, or `null`.
    private static func bound(_ value: RawJSON?) -> Int { (value?.range.count ?? 0) + 4 }

    private func reserve(_ bytes: Int) {
        guard bytes > capacity || (capacity > Self.keptCapacity && bytes <= Self.keptCapacity) else { return }
        buffer.deallocate()
        capacity = max(bytes, 16_384)
        buffer = .allocate(capacity: capacity)
    }

    /// A write position in the buffer, which ``reserve(_:)`` made large enough.
    private struct Output {
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        mutating func put(_ literal: StaticString) {
            (base + count).update(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
            count += literal.utf8CodeUnitCount
        }

        mutating func put(_ bytes: UnsafeRawBufferPointer) {
            guard let start = bytes.baseAddress else { return }
            UnsafeMutableRawPointer(base + count).copyMemory(from: start, byteCount: bytes.count)
            count += bytes.count
        }

        /// An optional string field, by the writer's rule (``StringFieldForm``).
        mutating func put(field value: RawJSON?) {
            switch StringFieldForm(value) {
            case .verbatim(let value):
                value.withUnsafeBytes { put($0) }
            case .quoted(let value):
                // A number's or boolean's text is digits, signs, dots, e/E or letters: nothing to escape.
                put("\"")
                value.withUnsafeBytes { put($0) }
                put("\"")
            case .null:
                put("null")
            }
        }
    }
}

@available(*, unavailable)
extension NormalizedEventEncoder: Sendable {}

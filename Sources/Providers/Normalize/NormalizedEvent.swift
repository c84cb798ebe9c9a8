public import JSONBytes
public import UTCTime

/// The normalized fields of one event, as taken from the provider's wire record.
/// String values stay as their JSON text (`RawJSON` of a string), so they are
/// copied into the output without being decoded and re-escaped.
public struct EventFields: Sendable {
    public var user: RawJSON?
    public var activity: RawJSON?
    /// Already mapped to `success` / `failure`; nil when the record does not say.
    public var result: EventResult?
    public var sourceIP: RawJSON?
    public var application: RawJSON?

    public init(user: RawJSON? = nil, activity: RawJSON? = nil, result: EventResult? = nil,
                sourceIP: RawJSON? = nil, application: RawJSON? = nil) {
        self.user = user
        self.activity = activity
        self.result = result
        self.sourceIP = sourceIP
        self.application = application
    }
}

public enum EventResult: String, Sendable {
    case success
    case failure
}

/// One event read from a provider page, ready for de-duplication and delivery.
public struct ProviderEvent: Sendable {
    /// Stable across re-reads: the Kafka key and the de-duplication id.
    public var id: String
    /// The event time the stream's cursor is based on.
    public var time: UTCTimestamp
    public var logType: String
    public var fields: EventFields
    /// The original record, byte for byte.
    public var raw: RawJSON
    /// The time shown as `timestamp` when it differs from the cursor's time
    /// (risk detections: detected, while the cursor follows the last update).
    public var reportedTime: UTCTimestamp?

    public init(id: String, time: UTCTimestamp, logType: String, fields: EventFields, raw: RawJSON) {
        self.id = id
        self.time = time
        self.logType = logType
        self.fields = fields
        self.raw = raw
    }
}

/// Who the events belong to, written into every normalized event and header.
public struct EventOrigin: Sendable {
    public var tenantID: String
    public var sourceID: String
    public var platform: String

    public init(tenantID: String, sourceID: String, platform: String) {
        self.tenantID = tenantID
        self.sourceID = sourceID
        self.platform = platform
    }
}

/// Writes the normalized event (schema version 1). Field order is fixed and
/// documented in the README; absent fields are `null`, never invented.
public enum NormalizedEventWriter {
    public static let schemaVersion = 1

    /// `rawLimit`: when the original record is longer, `raw_log` is its first `rawLimit` bytes
    /// as a string (cut at a character boundary) and `raw_log_truncated` is true, so an event
    /// too large for Kafka is still delivered, its normalized fields intact.
    public static func write(_ event: ProviderEvent, origin: EventOrigin, ingestedAt: String,
                             into writer: inout JSONWriter, rawLimit: Int? = nil) {
        write(event, shared: NormalizedEventConstants(origin: origin, logType: event.logType, ingestedAt: ingestedAt),
              into: &writer, rawLimit: rawLimit)
    }

    /// `write(_:origin:ingestedAt:into:rawLimit:)` with the members shared by many events
    /// prepared once (`shared`, made for this event's log type).
    public static func write(_ event: ProviderEvent, shared: NormalizedEventConstants,
                             into writer: inout JSONWriter, rawLimit: Int? = nil) {
        guard shared.logType == event.logType else {
            let own = NormalizedEventConstants(origin: shared.origin, logType: event.logType, ingestedAt: shared.ingestedAt)
            return write(event, shared: own, into: &writer, rawLimit: rawLimit)
        }
        // Keys are literals (copied without an escape scan), the timestamp goes straight
        // into the writer's bytes and the shared members are one copy: this runs once per
        // event on the poller's hot path.
        writer.beginObject()
        writer.members(head)
        writer.key(ascii: "event_id"); writer.string(event.id)
        writer.key(ascii: "timestamp"); (event.reportedTime ?? event.time).withRFC3339 { writer.string(utf8: $0) }
        writer.key(ascii: "user"); optionalString(event.fields.user, &writer)
        writer.key(ascii: "activity"); optionalString(event.fields.activity, &writer)
        writer.key(ascii: "result"); writer.string(event.fields.result?.rawValue)
        writer.key(ascii: "source_ip"); optionalString(event.fields.sourceIP, &writer)
        writer.key(ascii: "application"); optionalString(event.fields.application, &writer)
        writer.members(shared.members)
        writer.key(ascii: "raw_log")
        if let rawLimit, event.raw.range.count > rawLimit {
            writer.string(utf8: Self.prefix(of: event.raw.bytes, atMost: rawLimit))
            writer.key(ascii: "raw_log_truncated"); writer.bool(true)
        } else {
            writer.raw(event.raw)
        }
        writer.endObject()
    }

    private static let head = JSONWriter.Members { $0.key(ascii: "schema_version"); $0.int(schemaVersion) }

    /// The longest prefix of at most `limit` bytes that ends on a UTF-8 character boundary.
    static func prefix<Bytes: Collection<UInt8>>(of bytes: Bytes, atMost limit: Int) -> ArraySlice<UInt8> {
        let all = Array(bytes.prefix(max(0, limit) + 1))
        var end = min(all.count, max(0, limit))
        while end > 0, end < all.count, all[end] & 0xC0 == 0x80 { end -= 1 }
        return all[..<end]
    }

    private static func optionalString(_ value: RawJSON?, _ writer: inout JSONWriter) {
        switch StringFieldForm(value) {
        case .verbatim(let value): writer.raw(value)
        case .quoted(let value): writer.string(utf8: value.bytes)
        case .null: writer.null()
        }
    }
}

/// How a normalized string field (user, activity, source_ip, application) is written, the one
/// rule for ``NormalizedEventWriter`` and ``NormalizedEventEncoder``: a non-empty string's JSON
/// text as is, a number's or boolean's text as a string, anything else (absent, `""`, null, an
/// object or array) null.
enum StringFieldForm {
    case verbatim(RawJSON)
    case quoted(RawJSON)
    case null

    @inline(__always)
    init(_ value: RawJSON?) {
        guard let value else { self = .null; return }
        switch value.kind {
        case .string where value.range.count > 2: self = .verbatim(value)
        case .number, .bool: self = .quoted(value)
        default: self = .null
        }
    }
}

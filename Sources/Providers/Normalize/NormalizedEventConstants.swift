public import JSONBytes

/// The normalized members every event of one origin, log type and ingestion time shares
/// (`source`, `log_type`, `tenant_id`, `source_id`, `ingested_at`), serialized once: a
/// publisher writes a page's events with one copy of them each instead of five escapes.
public struct NormalizedEventConstants: Sendable {
    public let origin: EventOrigin
    public let logType: String
    public let ingestedAt: String
    let members: JSONWriter.Members

    public init(origin: EventOrigin, logType: String, ingestedAt: String) {
        self.origin = origin
        self.logType = logType
        self.ingestedAt = ingestedAt
        members = JSONWriter.Members { writer in
            writer.key(ascii: "source"); writer.string(origin.platform)
            writer.key(ascii: "log_type"); writer.string(logType)
            writer.key(ascii: "tenant_id"); writer.string(origin.tenantID)
            writer.key(ascii: "source_id"); writer.string(origin.sourceID)
            writer.key(ascii: "ingested_at"); writer.string(ingestedAt)
        }
    }

    /// Whether these are the constants of `origin`, `logType` and `ingestedAt`. Cheap when the
    /// strings are the same instances (String equality compares storage first).
    public func matches(_ origin: EventOrigin, logType: String, ingestedAt: String) -> Bool {
        self.ingestedAt == ingestedAt && self.logType == logType && self.origin.sourceID == origin.sourceID
            && self.origin.tenantID == origin.tenantID && self.origin.platform == origin.platform
    }
}

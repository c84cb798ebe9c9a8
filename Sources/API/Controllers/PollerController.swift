internal import Auth
internal import Foundation
internal import HTTPRouting
internal import JSONBytes
internal import SourceModel
internal import Storage
internal import UTCTime

/// Internal endpoints for pollers (role `poller`, across tenants, no secrets).
struct PollerController {
    let schedule: SourceSchedule
    let configuration: APIConfiguration

    func configurations(_ context: RequestContext) throws(HTTPError) -> Response {
        _ = try context.require(role: Role.poller)
        var limit = 100
        for (name, value) in context.request.queryItems {
            guard name == "limit" else { throw HTTPError.invalidField(name, "is not a known query parameter") }
            guard let number = Int(value), (1...1000).contains(number) else {
                throw HTTPError.invalidField("limit", "must be an integer from 1 to 1000")
            }
            limit = number
        }
        let now = UTCTimestamp.now()
        let due = try storage { () throws(StorageError) in try schedule.dueSources(now: now, limit: limit) }
        return .json { writer in
            writer.beginObject()
            writer.key("as_of"); writer.string(now.rfc3339)
            writer.key("items")
            writer.beginArray()
            for source in due { SourceRenderer.write(source, into: &writer) }
            writer.endArray()
            writer.endObject()
        }
    }

    func status(_ context: RequestContext) throws(HTTPError) -> Response {
        _ = try context.require(role: Role.poller)
        let members = try JSONBody.object(of: context.request)
        func member(_ name: String) -> JSONValue? { members.first { $0.key == name }?.value }
        var errors = FieldErrors()
        let known: Set<String> = ["source_id", "status", "polled_at", "message", "events", "duration_ms"]
        for member in members where !known.contains(member.key) { errors.add(member.key, "is not a known field") }

        let id = member("source_id")?.stringValue
        if id.flatMap(UUID.init(uuidString:)) == nil { errors.add("source_id", "must be a source id (UUID)") }
        let status = member("status")?.stringValue
        if status != "success" && status != "error" { errors.add("status", "must be \"success\" or \"error\"") }
        var polledAt = UTCTimestamp.now()
        if let value = member("polled_at") {
            if let text = value.stringValue, let time = UTCTimestamp(rfc3339: text) { polledAt = time }
            else { errors.add("polled_at", "must be an RFC 3339 timestamp") }
        }
        var message: String?
        if let value = member("message"), !value.isNull {
            if let text = value.stringValue, text.count <= 2000 { message = text }
            else { errors.add("message", "must be a string of at most 2000 characters") }
        }
        var events = 0
        if let value = member("events") {
            if let number = value.intValue, number >= 0 { events = number } else { errors.add("events", "must be a non-negative integer") }
        }
        var duration: Int?
        if let value = member("duration_ms"), !value.isNull {
            if let number = value.intValue, number >= 0 { duration = number } else { errors.add("duration_ms", "must be a non-negative integer") }
        }
        if status == "error" && (message ?? "").isEmpty { errors.add("message", "is required when status is \"error\"") }
        try errors.throwIfAny()

        let outcome = PollReport(success: status == "success", polledAt: polledAt,
                                  error: status == "error" ? message : nil, events: events, durationMs: duration)
        guard let recorded = try storage({ () throws(StorageError) in
            try schedule.record(sourceID: id!.lowercased(), outcome: outcome,
                                   maxConsecutiveFailures: configuration.maxConsecutiveFailures)
        }) else {
            throw HTTPError.notFound
        }
        return .json { writer in
            writer.beginObject()
            writer.key("source_id"); writer.string(recorded.sourceID)
            writer.key("is_enabled"); writer.bool(recorded.isEnabled)
            writer.key("error_count"); writer.int(recorded.errorCount)
            writer.key("next_poll_time"); writer.string(recorded.nextPollTime?.rfc3339 ?? "")
            writer.key("disabled_reason"); writer.string(recorded.disabledReason)
            writer.endObject()
        }
    }
}

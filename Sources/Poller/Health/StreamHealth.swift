public import Providers
public import JSONBytes
public import SourceModel
public import UTCTime

/// One stream's health as stored in `stream_state` (sql/012). Pure value: the poller
/// decides the next one from the last and what the poll did (`StreamHealthRules.next`).
public struct StreamHealth: Sendable, Equatable {
    public typealias State = StreamHealthState

    public var state: State = .ok
    public var errorCount = 0
    public var lastError: String?
    public var lastSuccess: UTCTimestamp?
    public var lastAttempt: UTCTimestamp?
    /// While failing: no attempt before this (the source's backoff rule, per stream).
    public var nextAttempt: UTCTimestamp?
    public var disabledReason: String?
    /// Behind by more than the source's lag threshold at the end of its last good poll.
    public var lagging = false
    /// Consecutive polls that ended with a backlog left.
    public var backlogRuns = 0
    public var watermark: UTCTimestamp?
    /// Events sent with raw_log cut to fit Kafka, and records skipped for lacking an id or a
    /// time, since the stream's state was last reset (counters for /metrics).
    public var eventsTruncatedTotal = 0
    public var recordsDroppedTotal = 0

    public init() {}

    public init(json: JSONValue?) {
        guard let json, json.objectValue != nil else { return }
        state = json["state"]?.stringValue.flatMap(State.init(rawValue:)) ?? .ok
        errorCount = json["error_count"]?.intValue ?? 0
        lastError = json["last_error"]?.stringValue
        lastSuccess = Self.time(json["last_success"])
        lastAttempt = Self.time(json["last_attempt"])
        nextAttempt = Self.time(json["next_attempt"])
        disabledReason = json["disabled_reason"]?.stringValue
        lagging = json["lagging"]?.boolValue ?? false
        backlogRuns = json["backlog_runs"]?.intValue ?? 0
        watermark = Self.time(json["watermark"])
        eventsTruncatedTotal = json["events_truncated_total"]?.intValue ?? 0
        recordsDroppedTotal = json["records_dropped_total"]?.intValue ?? 0
    }

    private static func time(_ value: JSONValue?) -> UTCTimestamp? {
        value?.stringValue.flatMap { UTCTimestamp(rfc3339: $0) }
    }

    public func write(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key(ascii: "state"); writer.string(state.rawValue)
        writer.key(ascii: "error_count"); writer.int(errorCount)
        writer.key(ascii: "last_error"); writer.string(lastError)
        writer.key(ascii: "last_success"); writer.string(lastSuccess?.rfc3339)
        writer.key(ascii: "last_attempt"); writer.string(lastAttempt?.rfc3339)
        writer.key(ascii: "next_attempt"); writer.string(nextAttempt?.rfc3339)
        writer.key(ascii: "disabled_reason"); writer.string(disabledReason)
        writer.key(ascii: "lagging"); writer.bool(lagging)
        writer.key(ascii: "backlog_runs"); writer.int(backlogRuns)
        writer.key(ascii: "watermark"); writer.string(watermark?.rfc3339)
        writer.key(ascii: "events_truncated_total"); writer.int(eventsTruncatedTotal)
        writer.key(ascii: "records_dropped_total"); writer.int(recordsDroppedTotal)
        writer.endObject()
    }
}

/// What became of a stream in one run.
public enum StreamAttempt: Sendable {
    /// Polled; `failure` is nil when it delivered.
    case polled(failure: ProviderError?, backlogLeft: Bool, watermark: UTCTimestamp?)
    /// Not tried: still backing off after a failure.
    case backingOff
    /// Not tried: disabled after too many consecutive failures.
    case disabled
}

/// A change an operator (or a SIEM rule) wants to hear about once.
public struct HealthTransition: Sendable, Equatable {
    /// The stream, or nil for the source itself.
    public var stream: String?
    /// `stream_failed`, `stream_recovered`, `stream_disabled`, `stream_lagging`, `stream_caught_up`,
    /// `source_failed`, `source_recovered`, `source_disabled`.
    public var activity: String
    public var failure: Bool
    public var state: String
    public var reason: String
    public var errorKind: String?
    public var errorCount: Int
}

/// The rules that turn a stream's last health and this run's attempt into the next.
public struct StreamHealthRules: Sendable {
    /// Consecutive failures after which a stream is disabled (SIEM_MAX_CONSECUTIVE_FAILURES).
    public var maxFailures: Int
    /// The source's polling interval.
    public var intervalSeconds: Int64
    /// Polling intervals a watermark may trail before the stream counts as lagging.
    public var lagIntervals: Int

    public init(maxFailures: Int, intervalSeconds: Int64, lagIntervals: Int) {
        self.maxFailures = maxFailures
        self.intervalSeconds = intervalSeconds
        self.lagIntervals = lagIntervals
    }

    /// The lag rule, as `siem_stream_metrics` (sql/012) applies it when read.
    public func isLagging(watermark: UTCTimestamp?, now: UTCTimestamp) -> Bool {
        guard let watermark else { return false }
        return now.seconds - watermark.seconds > intervalSeconds * Int64(max(1, lagIntervals))
    }

    /// The source's backoff rule of sql/003, per stream: interval × 2^failures, at most 24 h.
    public func backoff(afterFailures count: Int) -> Int64 {
        min(24 * 3600, intervalSeconds << Int64(min(count, 16)))
    }

    public func next(_ prior: StreamHealth, stream: String, attempt: StreamAttempt,
                     now: UTCTimestamp) -> (StreamHealth, [HealthTransition]) {
        guard case .polled(let failure, let backlogLeft, let watermark) = attempt else { return (prior, []) }
        var next = prior
        next.lastAttempt = now
        if let watermark { next.watermark = watermark }
        var transitions: [HealthTransition] = []
        if let failure {
            next.errorCount = prior.errorCount + 1
            next.lastError = String(failure.description.prefix(500))
            if next.errorCount >= maxFailures {
                next.state = .disabled
                next.nextAttempt = nil
                next.disabledReason = "disabled after \(next.errorCount) consecutive failures; last error: "
                    + String(failure.description.prefix(300))
                transitions.append(transition(stream, "stream_disabled", next, failure))
            } else {
                next.state = .failing
                next.nextAttempt = now.adding(seconds: backoff(afterFailures: next.errorCount))
                if prior.errorCount == 0 { transitions.append(transition(stream, "stream_failed", next, failure)) }
            }
            return (next, transitions)
        }
        let wasFailing = prior.errorCount > 0
        next.errorCount = 0
        next.lastError = nil
        next.nextAttempt = nil
        next.disabledReason = nil
        next.lastSuccess = now
        next.backlogRuns = backlogLeft ? prior.backlogRuns + 1 : 0
        next.lagging = isLagging(watermark: next.watermark, now: now)
        next.state = next.lagging ? .lagging : .ok
        if wasFailing {
            transitions.append(transition(stream, "stream_recovered", next, nil, reason: "delivering again"))
        }
        if next.lagging && !prior.lagging {
            transitions.append(transition(stream, "stream_lagging", next, nil, failure: true,
                                          reason: lagReason(next, now: now)))
        } else if !next.lagging && prior.lagging {
            transitions.append(transition(stream, "stream_caught_up", next, nil, reason: "caught up"))
        }
        return (next, transitions)
    }

    func lagReason(_ health: StreamHealth, now: UTCTimestamp) -> String {
        let age = health.watermark.map { now.seconds - $0.seconds } ?? 0
        return "falling behind: watermark \(age / 60) min old, more than \(lagIntervals) polling intervals"
            + " (\(health.backlogRuns) run(s) in a row left a backlog)"
    }

    private func transition(_ stream: String, _ activity: String, _ health: StreamHealth, _ failure: ProviderError?,
                            failure isFailure: Bool? = nil, reason: String? = nil) -> HealthTransition {
        HealthTransition(stream: stream, activity: activity, failure: isFailure ?? (failure != nil),
                         state: health.state.rawValue, reason: reason ?? failure?.description ?? "",
                         errorKind: failure.map { "\($0.kind)" }, errorCount: health.errorCount)
    }
}

internal import Providers
internal import JSONBytes
internal import Logging
internal import SourceModel
internal import Storage
internal import UTCTime

/// One source's stream health for one run: what the last run left (`stream_state`),
/// which streams to try, and what this run makes of them. The decisions are the pure
/// rules of `StreamHealthRules` and `SourceVerdict`; this only applies them per stream.
struct HealthBook {
    let settings: JSONValue
    let rules: StreamHealthRules
    let now: UTCTimestamp
    private let prior: JSONValue
    private let priorJSON: String
    private let priorSourceErrors: Int

    /// The stream health to store, the transitions to announce, and the log's per-stream words.
    struct Decision {
        var stateJSON: String
        var transitions: [HealthTransition]
        var words: [String: String]

        func summary(_ results: [StreamResult]) -> [String: Logger.MetadataValue] {
            var out: [String: Logger.MetadataValue] = [:]
            for (stream, word) in words {
                let events = results.first { $0.stream == stream }?.events ?? 0
                out[stream] = .string(word == "ok" || word == "lagging" ? "\(word) \(events)" : word)
            }
            return out
        }
    }

    init(source: DueSource, configuration: TickConfiguration, now: UTCTimestamp) {
        settings = (try? JSONValue.parse(Array(source.settingsJSON.utf8))) ?? .object([])
        prior = (try? JSONValue.parse(Array(source.streamStateJSON.utf8))) ?? .object([])
        priorJSON = source.streamStateJSON
        priorSourceErrors = source.errorCount
        rules = StreamHealthRules(maxFailures: configuration.maxConsecutiveFailures,
                                  intervalSeconds: Int64(source.pollingIntervalMinutes) * 60,
                                  lagIntervals: Self.lagIntervals(settings: settings))
        self.now = now
    }

    /// The source's `lag_alert_intervals`, else the catalog's default (no default of its own here).
    static func lagIntervals(settings: JSONValue) -> Int {
        settings["lag_alert_intervals"]?.intValue ?? SettingsSchema.lagAlertIntervals
    }

    /// Stream transitions that a source transition of the same run repeats when the stream is the only one polled.
    static let mirroredBySource: Set<String> = ["stream_failed", "stream_recovered", "stream_disabled"]

    func priorHealth(_ stream: String) -> StreamHealth { StreamHealth(json: prior[stream]) }

    /// Why `stream` is not tried in this run, or nil to try it. An operator's `--source`
    /// poll tries a backing-off stream too, never a disabled one.
    func skip(_ stream: String, forced: Bool) -> StreamAttempt? {
        let health = priorHealth(stream)
        if health.state == .disabled { return .disabled }
        // The same 30 s grace as the source's due rule (sql/006).
        if !forced, health.errorCount > 0, let next = health.nextAttempt, next > now.adding(seconds: 30) { return .backingOff }
        return nil
    }

    /// `results`: what each polled stream did (its truncated and dropped counts add up).
    func decide(_ attempts: [(stream: String, attempt: StreamAttempt)], verdict: SourceVerdict,
                setupFailed: Bool, results: [StreamResult] = []) -> Decision {
        let sourceTransitions = verdict.transitions(priorErrors: priorSourceErrors, maxFailures: rules.maxFailures)
        // Nothing is known of the streams when the provider could not even be set up.
        if setupFailed { return Decision(stateJSON: priorJSON, transitions: sourceTransitions, words: [:]) }
        var writer = JSONWriter(reservingCapacity: 256 * max(1, attempts.count))
        var transitions: [HealthTransition] = []
        var words: [String: String] = [:]
        writer.beginObject()
        for (stream, attempt) in attempts {
            var charged = attempt
            if case .polled(let failure?, _, _) = attempt, SourceVerdict.chargedToSource(failure) {
                charged = .backingOff  // the source's failure: the stream keeps its state
            }
            var (next, changes) = rules.next(priorHealth(stream), stream: stream, attempt: charged, now: now)
            if let result = results.first(where: { $0.stream == stream }) {
                next.eventsTruncatedTotal += result.truncated
                next.recordsDroppedTotal += result.dropped
            }
            transitions += changes
            writer.key(stream)
            next.write(into: &writer)
            switch attempt {
            case .disabled: words[stream] = "disabled"
            case .backingOff: words[stream] = "backing off"
            case .polled(let failure, _, _): words[stream] = failure != nil ? "error" : next.state.rawValue
            }
        }
        writer.endObject()
        // With one stream polled, its failure is the source's: the source's event says it once.
        let polled = attempts.filter { if case .polled = $0.attempt { return true } else { return false } }
        if polled.count == 1, !sourceTransitions.isEmpty {
            transitions.removeAll { Self.mirroredBySource.contains($0.activity) }
        }
        return Decision(stateJSON: String(decoding: writer.bytes, as: UTF8.self),
                        transitions: transitions + sourceTransitions, words: words)
    }
}

import SourceModel
import Storage
import UTCTime

/// The text table of `siem-ctl status`: times relative to the database's clock,
/// one note per source saying what to look at.
typealias RatedSource = (source: SourceMetrics, health: SourceHealth)

enum StatusTable {
    static let headers = ["STATE", "TENANT", "SOURCE", "PLATFORM", "LAST SUCCESS", "NEXT POLL", "ERRORS", "EVENTS", "NOTE"]

    static func render(_ rated: [RatedSource], now: UTCTimestamp) -> String {
        guard !rated.isEmpty else { return "no sources" }
        let rows = rated.map { entry -> [String] in
            let s = entry.source
            return [entry.health.rawValue, s.tenantID, s.sourceName, s.platform,
                    s.lastSuccess.map { ago($0, now) } ?? "never",
                    s.isEnabled ? (s.nextPoll.map { until($0, now) } ?? "-") : "-",
                    String(s.consecutiveErrors), String(s.eventsCollectedTotal), note(s, entry.health, now)]
        }
        var widths = headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let lines = ([headers] + rows).map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return (lines + ["", summary(rated, now)]).joined(separator: "\n")
    }

    static func note(_ source: SourceMetrics, _ health: SourceHealth, _ now: UTCTimestamp) -> String {
        switch health {
        case .overdue:
            return "should have been polled \(source.nextPoll.map { ago($0, now) } ?? "long ago"): is cron running siem-poller?"
        case .failing:
            return oneLine(source.lastError ?? "the last poll failed")
        case .degraded, .lagging:
            return oneLine(source.streams.compactMap { streamNote($0, now) }.joined(separator: "; "))
        case .expiring:
            let end = source.credentialsExpire.map { "\($0 < now ? "expired" : "expire") \(until($0, now)) (\($0.rfc3339.prefix(10)))" }
            return "credentials \(end ?? "expire soon"): upload new ones"
        case .pending:
            return "not polled yet; the next tick takes it"
        case .disabled:
            return oneLine(source.disabledReason ?? "disabled by an operator")
        case .ok:
            return ""
        }
    }

    /// What is wrong with one stream, or nil when nothing is.
    static func streamNote(_ stream: StreamMetrics, _ now: UTCTimestamp) -> String? {
        switch stream.state {
        case .disabled:
            return "\(stream.stream) disabled: \(stream.disabledReason ?? "after repeated failures")"
        case .failing:
            let retry = stream.nextAttempt.map { ", retried \(until($0, now))" } ?? ""
            return "\(stream.stream) failing (\(stream.consecutiveErrors) errors\(retry)): \(stream.lastError ?? "")"
        case .lagging:
            let age = stream.watermarkAgeSeconds.map { span(Int64($0)) } ?? "?"
            return "\(stream.stream) falling behind: watermark \(age) old"
        case .ok:
            return nil
        }
    }

    static func summary(_ rated: [RatedSource], _ now: UTCTimestamp) -> String {
        let counts = SourceHealth.allCases.compactMap { health -> String? in
            let n = rated.filter { $0.health == health }.count
            return n == 0 ? nil : "\(n) \(health.rawValue)"
        }
        let newest = rated.compactMap(\.source.lastPolled).max()
        return "\(rated.count) source(s): \(counts.joined(separator: ", ")); newest poll \(newest.map { ago($0, now) } ?? "never")."
    }

    /// "3m ago", "2h ago", "4d ago" ("in 5m" if it lies ahead); "just now" within a minute.
    static func ago(_ time: UTCTimestamp, _ now: UTCTimestamp) -> String {
        let seconds = now.seconds - time.seconds
        if abs(seconds) < 60 { return "just now" }
        return seconds > 0 ? span(seconds) + " ago" : "in " + span(-seconds)
    }

    /// "in 12m" ("3m ago" if it has passed); "now" within a minute.
    static func until(_ time: UTCTimestamp, _ now: UTCTimestamp) -> String {
        let seconds = time.seconds - now.seconds
        if abs(seconds) < 60 { return "now" }
        return seconds > 0 ? "in " + span(seconds) : span(-seconds) + " ago"
    }

    static func span(_ seconds: Int64) -> String {
        switch seconds {
        case ..<3600: "\(max(1, seconds / 60))m"
        case ..<(2 * 86_400): "\(seconds / 3600)h\(seconds % 3600 / 60 > 0 ? "\(seconds % 3600 / 60)m" : "")"
        default: "\(seconds / 86_400)d"
        }
    }

    /// The first line, at most 100 characters: a table row stays one line.
    static func oneLine(_ text: String) -> String {
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return first.count > 100 ? String(first.prefix(99)) + "…" : first
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

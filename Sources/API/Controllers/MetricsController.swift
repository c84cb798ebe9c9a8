internal import Auth
internal import Catalog
internal import HTTPRouting
internal import SourceModel
internal import Storage
internal import UTCTime

/// `GET /metrics` in the Prometheus text format (0.0.4): per-source figures with
/// labels tenant, source, source_id, platform. All tenants for the `metrics` or
/// `poller` role; an admin or viewer token sees its own tenant. No address is trusted:
/// behind nginx every caller on this host, and any proxy's, would look like loopback.
/// `trustLoopback` (SIEM_METRICS_TRUST_LOOPBACK=1) restores token-less scraping from it.
struct MetricsController {
    let reader: SourceMetricsReader
    var trustLoopback = false

    func metrics(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant: String?
        if let identity = context.identity {
            if identity.hasRole(Role.metrics) || identity.hasRole(Role.poller) {
                tenant = nil
            } else {
                tenant = try context.tenant(role: Role.viewer)
            }
        } else if trustLoopback && Self.isLoopback(context.request.remoteAddress) {
            tenant = nil
        } else {
            throw HTTPError.unauthorized("a bearer token with the 'metrics' role (or a tenant's viewer role) is required")
        }
        let rows = try storage { () throws(StorageError) in try reader.metrics(tenantID: tenant) }
        return Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                        body: Array(PrometheusText.render(rows).utf8))
    }

    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address == "::ffff:127.0.0.1"
    }
}

enum PrometheusText {
    /// One metric family: its header, and its value for a source or a stream (nil: no sample).
    private struct Family<Row>: Sendable {
        var name: String
        var type: String
        var help: String
        var value: @Sendable (Row) -> Double?

        var header: String { "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
    }

    private static let families: [Family<SourceMetrics>] = [
        Family(name: "siem_source_events_collected_total", type: "counter",
               help: "Events delivered to Kafka by the source since it was registered.", value: { Double($0.eventsCollectedTotal) }),
        Family(name: "siem_source_last_poll_events", type: "gauge",
               help: "Events delivered by the source's last poll.", value: { Double($0.lastPollEvents) }),
        Family(name: "siem_source_last_poll_duration_seconds", type: "gauge",
               help: "Duration of the source's last poll.", value: { $0.lastPollDurationMs.map { Double($0) / 1000 } }),
        Family(name: "siem_source_consecutive_errors", type: "gauge",
               help: "Consecutive failed polls (0 after a success).", value: { Double($0.consecutiveErrors) }),
        Family(name: "siem_source_last_poll_timestamp_seconds", type: "gauge",
               help: "Unix time of the source's last poll.", value: { unixTime($0.lastPolled) }),
        Family(name: "siem_source_last_success_timestamp_seconds", type: "gauge",
               help: "Unix time of the source's last successful poll.", value: { unixTime($0.lastSuccess) }),
        Family(name: "siem_source_next_poll_timestamp_seconds", type: "gauge",
               help: "Unix time at which an enabled source is next due; far in the past means no poller runs it.",
               value: { $0.isEnabled ? unixTime($0.nextPoll) : nil }),
        Family(name: "siem_source_credentials_expiry_timestamp_seconds", type: "gauge",
               help: "Unix time at which the source's credentials expire (certificates; absent when unknown).",
               value: { unixTime($0.credentialsExpire) }),
        Family(name: "siem_source_enabled", type: "gauge",
               help: "1 when the source is enabled.", value: { $0.isEnabled ? 1 : 0 }),
    ]

    /// Per stream (sql/012), with the source's labels plus `stream`: a failing stream of a
    /// source that still delivers is as visible as a failing source.
    private static let streamFamilies: [Family<StreamMetrics>] = [
        Family(name: "siem_stream_consecutive_errors", type: "gauge",
               help: "Consecutive failed polls of the stream (0 after a success).",
               value: { Double($0.consecutiveErrors) }),
        Family(name: "siem_stream_enabled", type: "gauge",
               help: "1 unless the poller disabled the stream after repeated failures.",
               value: { $0.isEnabled ? 1 : 0 }),
        Family(name: "siem_stream_watermark_age_seconds", type: "gauge",
               help: "Seconds between now and the stream's checkpoint watermark (absent before its first checkpoint).",
               value: { $0.watermarkAgeSeconds }),
        Family(name: "siem_stream_backlog_runs", type: "gauge",
               help: "Consecutive polls of the stream that ended with a backlog left.",
               value: { Double($0.backlogRuns) }),
        Family(name: "siem_stream_lagging", type: "gauge",
               help: "1 when the watermark trails by more than settings.lag_alert_intervals (default \(SettingsSchema.lagAlertIntervals)) polling intervals.",
               value: { $0.state == .lagging ? 1 : 0 }),
        Family(name: "siem_stream_events_truncated_total", type: "counter",
               help: "Events delivered with raw_log cut to fit Kafka's message.max.bytes (since the stream's state was reset).",
               value: { Double($0.eventsTruncatedTotal) }),
        Family(name: "siem_stream_records_dropped_total", type: "counter",
               help: "Provider records skipped for lacking an id or a time (since the stream's state was reset).",
               value: { Double($0.recordsDroppedTotal) }),
    ]

    private static func unixTime(_ time: UTCTimestamp?) -> Double? {
        time.map { Double($0.microseconds) / 1e6 }
    }

    static func render(_ rows: [SourceMetrics]) -> String {
        var out = ""
        for family in families {
            out += family.header
            for row in rows {
                guard let value = family.value(row) else { continue }
                out += "\(family.name){\(labels(row))} \(format(value))\n"
            }
        }
        for family in streamFamilies {
            out += family.header
            for row in rows {
                for stream in row.streams {
                    guard let value = family.value(stream) else { continue }
                    out += "\(family.name){\(labels(row)),stream=\"\(escape(stream.stream))\"} \(format(value))\n"
                }
            }
        }
        return out
    }

    private static func labels(_ row: SourceMetrics) -> String {
        "tenant=\"\(escape(row.tenantID))\",source=\"\(escape(row.sourceName))\","
            + "source_id=\"\(row.sourceID)\",platform=\"\(row.platform)\""
    }

    /// Label values escape backslash, double quote and newline.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

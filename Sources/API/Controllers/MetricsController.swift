internal import Auth
internal import HTTPRouting
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
    private struct Family: Sendable {
        var name: String
        var type: String
        var help: String
        var value: @Sendable (SourceMetrics) -> Double?
    }

    private static let families: [Family] = [
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

    private static func unixTime(_ time: UTCTimestamp?) -> Double? {
        time.map { Double($0.microseconds) / 1e6 }
    }

    static func render(_ rows: [SourceMetrics]) -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for row in rows {
                guard let value = family.value(row) else { continue }
                out += "\(family.name){tenant=\"\(escape(row.tenantID))\",source=\"\(escape(row.sourceName))\","
                    + "source_id=\"\(row.sourceID)\",platform=\"\(row.platform)\"} \(format(value))\n"
            }
        }
        return out
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

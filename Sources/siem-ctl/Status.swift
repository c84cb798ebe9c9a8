import ArgumentParser
import Foundation
import JSONBytes
import Postgres
import SourceModel
import Storage
import UTCTime

/// The 3 a.m. view: every source's state, worst first, with what to look at.
/// Exit status 1 when a source needs attention, so monitoring can run it as a check.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each source's polling state; exit 1 when one is overdue, failing, degraded (a stream fails), lagging or its credentials expire soon.")

    @Option(help: "Only this tenant's sources.")
    var tenant: String?

    @Flag(help: "One JSON object per source (JSON lines) instead of the table.")
    var json = false

    @Option(help: "Minutes past its next poll after which an enabled source counts as overdue.")
    var overdueMinutes: Int = 10

    @Option(help: "Days before the credentials' end at which a source is flagged.")
    var expiryDays: Int = 14

    func run() throws {
        guard (1...10_080).contains(overdueMinutes) else { throw ValidationError("--overdue-minutes must be 1 to 10080") }
        guard (0...365).contains(expiryDays) else { throw ValidationError("--expiry-days must be 0 to 365") }
        let url = try databaseURL()
        var rules = SourceHealth.Rules()
        rules.overdueAfterSeconds = Int64(overdueMinutes) * 60
        rules.expiryWarningSeconds = Int64(expiryDays) * 86_400
        let (now, sources): (UTCTimestamp, [SourceMetrics])
        do {
            let reader = SourceMetricsReader(connection: try PostgresConnection(conninfo: url))
            (now, sources) = (try reader.databaseNow(), try reader.metrics(tenantID: tenant))
        } catch let error as PostgresError {
            throw ValidationError("database: \(error.message)")
        } catch let error as StorageError {
            throw ValidationError(error.description)
        }
        let rated = sources.map { (source: $0, health: $0.health(now: now, rules: rules)) }
            .sorted { $0.health < $1.health }
        if json {
            for entry in rated { print(Self.jsonLine(entry.source, entry.health)) }
        } else {
            print(StatusTable.render(rated, now: now))
        }
        if rated.contains(where: { $0.health.needsAttention }) { throw ExitCode(1) }
    }

    static func jsonLine(_ source: SourceMetrics, _ health: SourceHealth) -> String {
        var writer = JSONWriter(reservingCapacity: 512)
        writer.beginObject()
        writer.key(ascii: "state"); writer.string(health.rawValue)
        writer.key(ascii: "tenant_id"); writer.string(source.tenantID)
        writer.key(ascii: "source_id"); writer.string(source.sourceID)
        writer.key(ascii: "source_name"); writer.string(source.sourceName)
        writer.key(ascii: "platform"); writer.string(source.platform)
        writer.key(ascii: "is_enabled"); writer.bool(source.isEnabled)
        writer.key(ascii: "error_count"); writer.int(source.consecutiveErrors)
        writer.key(ascii: "last_polled_timestamp"); writer.string(source.lastPolled?.rfc3339)
        writer.key(ascii: "last_success_timestamp"); writer.string(source.lastSuccess?.rfc3339)
        writer.key(ascii: "next_poll_time"); writer.string(source.nextPoll?.rfc3339)
        writer.key(ascii: "events_collected_total"); writer.int(source.eventsCollectedTotal)
        writer.key(ascii: "last_error"); writer.string(source.lastError)
        writer.key(ascii: "disabled_reason"); writer.string(source.disabledReason)
        writer.key(ascii: "credentials_expires_at"); writer.string(source.credentialsExpire?.rfc3339)
        writer.key(ascii: "streams")
        writer.beginArray()
        for stream in source.streams {
            writer.beginObject()
            writer.key(ascii: "stream"); writer.string(stream.stream)
            writer.key(ascii: "state"); writer.string(stream.state.rawValue)
            writer.key(ascii: "error_count"); writer.int(stream.consecutiveErrors)
            writer.key(ascii: "last_error"); writer.string(stream.lastError)
            writer.key(ascii: "disabled_reason"); writer.string(stream.disabledReason)
            writer.key(ascii: "next_attempt"); writer.string(stream.nextAttempt?.rfc3339)
            writer.key(ascii: "watermark"); writer.string(stream.watermark?.rfc3339)
            writer.key(ascii: "watermark_age_seconds")
            if let age = stream.watermarkAgeSeconds { writer.int(Int(age)) } else { writer.null() }
            writer.key(ascii: "backlog_runs"); writer.int(stream.backlogRuns)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

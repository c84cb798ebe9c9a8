public import UTCTime

/// What an operator needs to know about a source at a glance, worst first.
public enum SourceHealth: String, Sendable, CaseIterable, Comparable {
    /// Enabled, but its poll is well past due: no poller is running (cron stopped,
    /// poller crashing at start) or its lock is stuck.
    case overdue
    /// The last poll failed (the poller retries with backoff).
    case failing
    /// The source delivers, but one of its streams fails or was disabled (sql/012).
    case degraded
    /// A stream's watermark trails by more than the source's lag threshold.
    case lagging
    /// Polling works, but the credentials expire soon (a certificate's end).
    case expiring
    /// Enabled and not polled yet, and not yet overdue.
    case pending
    case ok
    case disabled

    /// Whether monitoring should page someone about it.
    public var needsAttention: Bool {
        self == .overdue || self == .failing || self == .degraded || self == .lagging || self == .expiring
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Thresholds for `classify`.
    public struct Rules: Sendable {
        /// Past its next poll by more than this, a source is overdue (cron ticks each minute).
        public var overdueAfterSeconds: Int64 = 10 * 60
        /// Credentials ending within this are flagged.
        public var expiryWarningSeconds: Int64 = 14 * 86_400
        public init() {}
    }

    public static func classify(isEnabled: Bool, errorCount: Int, lastPolled: UTCTimestamp?,
                                nextPoll: UTCTimestamp?, credentialsExpire: UTCTimestamp?,
                                now: UTCTimestamp, rules: Rules = Rules()) -> SourceHealth {
        guard isEnabled else { return .disabled }
        if let nextPoll, nextPoll.adding(seconds: rules.overdueAfterSeconds) < now { return .overdue }
        if errorCount > 0 { return .failing }
        // degraded and lagging come from the streams: SourceMetrics.health.
        if let credentialsExpire, credentialsExpire < now.adding(seconds: rules.expiryWarningSeconds) { return .expiring }
        return lastPolled == nil ? .pending : .ok
    }
}

/// A stream's state as operators see it (sql/012 `stream_state`, lag judged when read).
public enum StreamHealthState: String, Sendable {
    case ok, failing, disabled, lagging
}

public import JSONBytes
public import UTCTime

/// Validated input for creating or replacing a source.
public struct SourceDraft: Sendable {
    public var platform: Platform
    public var sourceName: String
    /// Canonical JSON of the credentials object (secret; sealed before storage).
    /// Nil on update means "keep the stored credentials".
    public var credentialsJSON: [UInt8]?
    /// When those credentials stop working on their own (a certificate's end), if known.
    public var credentialsExpireAt: UTCTimestamp?
    public var pollingIntervalMinutes: Int
    public var isEnabled: Bool
    public var settings: JSONValue

    public init(platform: Platform, sourceName: String, credentialsJSON: [UInt8]?,
                credentialsExpireAt: UTCTimestamp? = nil, pollingIntervalMinutes: Int, isEnabled: Bool,
                settings: JSONValue) {
        self.platform = platform
        self.sourceName = sourceName
        self.credentialsJSON = credentialsJSON
        self.credentialsExpireAt = credentialsExpireAt
        self.pollingIntervalMinutes = pollingIntervalMinutes
        self.isEnabled = isEnabled
        self.settings = settings
    }
}

/// The result of one poll, recorded by the poller or through the API.
public struct PollReport: Sendable {
    public var success: Bool
    /// When the poll finished.
    public var polledAt: UTCTimestamp
    /// Short, secret-free reason for a failure.
    public var error: String?
    public var events: Int
    public var durationMs: Int?
    /// The poll stopped at its deadline with events still to read: poll again at once.
    public var backlogLeft: Bool

    public init(success: Bool, polledAt: UTCTimestamp, error: String?, events: Int, durationMs: Int?, backlogLeft: Bool = false) {
        self.backlogLeft = backlogLeft
        self.success = success
        self.polledAt = polledAt
        self.error = error
        self.events = events
        self.durationMs = durationMs
    }
}

/// Schedule limits shared by the API's validation and the poller.
public enum ScheduleRules {
    public static let defaultPollingIntervalMinutes = 15
    public static let pollingIntervalRange = 1...1440
    /// Consecutive failures after which a source is disabled (configurable per deployment).
    public static let defaultMaxConsecutiveFailures = 10
}

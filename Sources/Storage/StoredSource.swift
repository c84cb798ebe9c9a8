internal import Postgres
public import SourceModel
public import UTCTime

/// Sources as read from `cloud_api_sources`, in PostgreSQL's binary result format
/// and read in place: responses are rendered straight from the column bytes,
/// with no String or model value per column (the listing endpoint's hot path).
public struct StoredSources: RandomAccessCollection {
    private let result: PostgresResult
    private let platforms: [Platform]

    /// Checks every row's platform once, so that `StoredSource.platform` cannot fail.
    init(_ result: PostgresResult) throws(StorageError) {
        var platforms: [Platform] = []
        platforms.reserveCapacity(result.rowCount)
        for row in 0..<result.rowCount {
            let column = StoredSource.Column.platform.rawValue
            var platform: Platform?
            _ = result.withText(row, column) { text in platform = Platform.allCases.first { $0.rawValue.utf8.elementsEqual(text) } }
            guard let platform else {
                throw StorageError(code: .corruptRow, message: "unknown platform in row \(row)")
            }
            platforms.append(platform)
        }
        self.result = result
        self.platforms = platforms
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { platforms.count }
    public subscript(position: Int) -> StoredSource {
        StoredSource(result: result, row: position, platform: platforms[position])
    }
}

/// One row of `StoredSources`. Valid as long as it is held (it keeps the result alive).
public struct StoredSource {
    /// The columns every source read selects, in `selectList` order.
    public enum Column: Int, CaseIterable, Sendable {
        case sourceID, tenantID, platform, sourceName, pollingIntervalMinutes, isEnabled
        case lastPolledTimestamp, lastSuccessTimestamp, nextPollTime, errorCount, lastError
        case disabledReason, settings, cursor, credentialsFingerprint, credentialsKeyID
        case eventsCollectedTotal, lastPollEvents, lastPollDurationMs, createdAt, updatedAt
    }

    static let selectList = """
        source_id, tenant_id, platform, source_name, polling_interval_minutes, is_enabled,
        last_polled_timestamp, last_success_timestamp, next_poll_time, error_count, last_error,
        disabled_reason, settings_text, cursor_text, credentials_fingerprint, credentials_key_id,
        events_collected_total, last_poll_events, last_poll_duration_ms, created_at, updated_at
        """

    private let result: PostgresResult
    private let row: Int
    public let platform: Platform

    init(result: PostgresResult, row: Int, platform: Platform) {
        self.result = result
        self.row = row
        self.platform = platform
    }

    // Lenders of column bytes, valid only inside `body`; each returns false when the value is NULL.

    /// A text column's UTF-8 bytes.
    public func withText(_ column: Column, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        result.withText(row, column.rawValue, body)
    }

    /// A JSON column's text (`settings`, `cursor`: jsonb rendered as text when the row was written).
    public func withJSON(_ column: Column, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        result.withJSON(row, column.rawValue, body)
    }

    /// `source_id` as canonical text.
    public func withSourceID(_ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        result.withUUID(row, Column.sourceID.rawValue, body)
    }

    public func integer(_ column: Column) -> Int? { result.int(row, column.rawValue) }
    public func timestamp(_ column: Column) -> UTCTimestamp? { result.timestamp(row, column.rawValue) }

    public var sourceID: String { result.uuid(row, Column.sourceID.rawValue) ?? "" }
    public var sourceName: String { result.string(row, Column.sourceName.rawValue) ?? "" }
    public var isEnabled: Bool { result.bool(row, Column.isEnabled.rawValue) ?? false }
    public var settingsJSON: String { result.string(row, Column.settings.rawValue) ?? "{}" }
}

@available(*, unavailable)
extension StoredSources: Sendable {}
@available(*, unavailable)
extension StoredSource: Sendable {}

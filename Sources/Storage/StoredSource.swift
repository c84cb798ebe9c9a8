internal import Postgres
public import SourceModel

/// Sources as read from `cloud_api_sources`, read in place. Each row carries its
/// API representation, rendered by PostgreSQL when the row was written (column
/// `api_json`, sql/005), so a listing copies bytes instead of formatting columns.
public struct StoredSources: RandomAccessCollection {
    private let result: PostgresResult
    private let platforms: [Platform]

    /// Checks every row's platform once, so that `StoredSource.platform` cannot fail.
    init(_ result: PostgresResult) throws(StorageError) {
        var platforms: [Platform] = []
        platforms.reserveCapacity(result.rowCount)
        for row in 0..<result.rowCount {
            var platform: Platform?
            _ = result.withText(row, StoredSource.Column.platform.rawValue) { text in
                platform = Platform.allCases.first { $0.rawValue.utf8.elementsEqual(text) }
                    ?? Platform(stored: String(decoding: text, as: UTF8.self))
            }
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
    enum Column: Int {
        case platform, sourceName, isEnabled, settings, apiJSON
    }

    static let selectList = "platform, source_name, is_enabled, settings_text, api_json"

    private let result: PostgresResult
    private let row: Int
    public let platform: Platform

    init(result: PostgresResult, row: Int, platform: Platform) {
        self.result = result
        self.row = row
        self.platform = platform
    }

    /// Lends the source's API representation (a JSON object) to `body`.
    public func withJSON(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        _ = result.withText(row, Column.apiJSON.rawValue, body)
    }

    public var sourceName: String { result.string(row, Column.sourceName.rawValue) ?? "" }
    public var isEnabled: Bool { result.bool(row, Column.isEnabled.rawValue) ?? false }
    /// Non-secret settings (a JSON object's text).
    public var settingsJSON: String { result.string(row, Column.settings.rawValue) ?? "{}" }
}

@available(*, unavailable)
extension StoredSources: Sendable {}
@available(*, unavailable)
extension StoredSource: Sendable {}

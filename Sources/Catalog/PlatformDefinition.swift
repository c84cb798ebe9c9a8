/// Everything the collector knows about one platform, in one value: the API validates
/// against it, the poller reads its defaults, and `GET /v1/platforms` serves it to the
/// admin page, so no copy of these facts lives anywhere else.
public struct PlatformDefinition: Sendable {
    public var platform: Platform
    /// How people call the platform (the admin page shows it).
    public var label: String
    public var streams: [StreamDefinition]
    public var credentials: CredentialForm
    /// National clouds the source may pick with `settings.cloud`; empty when the platform has none.
    public var clouds: [CloudProfile]
    /// The smallest `overlap_minutes` a source may set: events reach the platform's API this
    /// late in normal operation, and a smaller overlap would lose the ones that arrive later.
    public var overlapFloorMinutes: Int
    /// The declaration of a platform described in `connectors/` (nil for the built-in ones).
    public var connector: ConnectorDeclaration?
    /// The settings of this platform's own (endpoints, resource lists, filters), beside the
    /// collection settings every platform has (`SettingsSchema.collectionSettings`).
    public var ownSettings: [SettingSpec]

    public init(platform: Platform, label: String, streams: [StreamDefinition], credentials: CredentialForm,
                clouds: [CloudProfile] = [], overlapFloorMinutes: Int, ownSettings: [SettingSpec] = [],
                connector: ConnectorDeclaration? = nil) {
        self.platform = platform
        self.label = label
        self.streams = streams
        self.credentials = credentials
        self.clouds = clouds
        self.overlapFloorMinutes = overlapFloorMinutes
        self.connector = connector
        // A setting written for "this platform" (no platforms named) applies to this one.
        self.ownSettings = ownSettings.map { spec in
            var spec = spec
            if spec.platforms.isEmpty { spec.platforms = [platform] }
            return spec
        }
    }

    /// The settings a source of this platform may carry, in the schema's order.
    public var settings: [SettingSpec] { SettingsSchema.specs.filter { $0.platforms.contains(platform) } }
}

/// One log type of a platform, collected with its own checkpoint.
public struct StreamDefinition: Sendable, Equatable {
    /// The `settings.streams` name, and the checkpoint key unless `perItem` is set.
    public var name: String
    public var label: String
    /// The normalized `log_type` of its events.
    public var logType: String
    /// How far behind the watermark each poll re-reads, unless the source sets `overlap_minutes`.
    public var defaultOverlapSeconds: Int64
    /// Set when the stream is collected once per item of a list setting (the activity log per
    /// subscription): each item has its own checkpoint, `name:<item>`.
    public var perItem: PerItemKey?

    public struct PerItemKey: Sendable, Equatable {
        /// The list setting, e.g. `subscription_ids`.
        public var setting: String
        /// What one item is, for the key form, e.g. `subscription`.
        public var item: String
        public init(setting: String, item: String) {
            self.setting = setting
            self.item = item
        }
    }

    public init(name: String, label: String, logType: String, defaultOverlapSeconds: Int64, perItem: PerItemKey? = nil) {
        self.name = name
        self.label = label
        self.logType = logType
        self.defaultOverlapSeconds = defaultOverlapSeconds
        self.perItem = perItem
    }

    /// How the checkpoint key is formed, e.g. `activity_log:<subscription>`.
    public var keyForm: String { perItem.map { "\(name):<\($0.item)>" } ?? name }

    /// The checkpoint key of one item of a per-item stream.
    public func key(item: String) -> String { "\(name):\(item)" }
}

/// A national cloud: a name for `settings.cloud` and the hosts it implies.
public struct CloudProfile: Sendable, Equatable {
    public var name: String
    public var label: String
    /// Each endpoint setting the profile fills in (e.g. `graph_endpoint`) and its URL.
    public var endpoints: [Endpoint]

    public struct Endpoint: Sendable, Equatable {
        public var setting: String
        public var url: String
        public init(setting: String, url: String) {
            self.setting = setting
            self.url = url
        }
    }

    public init(name: String, label: String, endpoints: [Endpoint]) {
        self.name = name
        self.label = label
        self.endpoints = endpoints
    }

    /// The profile's URL for an endpoint setting.
    public func url(_ setting: String) -> String? { endpoints.first { $0.setting == setting }?.url }
}

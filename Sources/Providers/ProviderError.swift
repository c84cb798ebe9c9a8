/// Why a provider call failed, in the categories an operator acts on. The
/// message is short, names the stream and what the provider said, and never
/// contains a secret or a token.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case badCredentials = "bad credentials"
            case missingPermission = "missing permission"
            case missingLicence = "missing licence"
            case throttled
            case unreachable
            case serverError = "server error"
            case malformedResponse = "malformed response"
            case deliveryFailed = "kafka delivery failed"
            case database = "database failed"
            case configuration
            case deadline = "deadline reached"
            case lockLost = "lock lost"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        public static let badCredentials = Kind(.badCredentials)
        public static let missingPermission = Kind(.missingPermission)
        public static let missingLicence = Kind(.missingLicence)
        public static let throttled = Kind(.throttled)
        public static let unreachable = Kind(.unreachable)
        public static let serverError = Kind(.serverError)
        public static let malformedResponse = Kind(.malformedResponse)
        public static let deliveryFailed = Kind(.deliveryFailed)
        /// PostgreSQL failed under the poller: like Kafka, the infrastructure's failure, not the source's.
        public static let database = Kind(.database)
        public static let configuration = Kind(.configuration)
        public static let deadline = Kind(.deadline)
        /// The database session holding the source's lock ended mid-poll; nothing more was written.
        public static let lockLost = Kind(.lockLost)
        public var description: String { base.rawValue }
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }

    /// Kafka or PostgreSQL failed: never charged to a source or stream; the run stops.
    public var isInfrastructure: Bool { kind == .deliveryFailed || kind == .database }
}

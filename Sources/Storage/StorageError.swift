public import Postgres

/// A storage operation that failed, with the reason a caller can act on.
public struct StorageError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case duplicateName, unavailable, migration, corruptRow, lockLost }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// Another source of the tenant already has this name.
        public static let duplicateName = Code(.duplicateName)
        /// The database could not be reached or failed.
        public static let unavailable = Code(.unavailable)
        /// A migration could not be applied.
        public static let migration = Code(.migration)
        /// A stored row does not have the expected shape.
        public static let corruptRow = Code(.corruptRow)
        /// The session that held the source's advisory lock ended: another poller may own it now.
        public static let lockLost = Code(.lockLost)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var underlying: PostgresError?

    public init(code: Code, message: String, underlying: PostgresError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "\(code): \(message)" }
    public var debugDescription: String {
        description + (underlying.map { " (\($0.debugDescription))" } ?? "")
    }

    /// The database refused the values (data exception or integrity constraint).
    public var isRejectedInput: Bool {
        guard let state = underlying?.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    /// The database could not be reached (as opposed to refusing a statement).
    public var isConnectionFailure: Bool { underlying?.code == .connection }

    static func lockLost(_ sourceID: String) -> StorageError {
        StorageError(code: .lockLost, message: "lost the source lock: the database session that held it ended, "
                     + "so another poller may own the source; nothing more is written for it in this run")
    }

    static func wrap(_ error: PostgresError, _ message: String) -> StorageError {
        StorageError(code: .unavailable, message: message, underlying: error)
    }
}

/// A libpq failure, translated where it arose. `sqlState` lets callers map
/// constraint violations (23505 unique, 23514 check, …) to client errors.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case connection, sessionLost, query, protocolViolation, decoding }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// Could not connect, or the connection broke.
        public static let connection = Code(.connection)
        /// A statement pinned to a session found it ended (and its advisory locks gone).
        public static let sessionLost = Code(.sessionLost)
        /// The server rejected a statement (see `sqlState`).
        public static let query = Code(.query)
        /// The server answered something the wrapper did not expect.
        public static let protocolViolation = Code(.protocolViolation)
        /// A column value could not be read as the requested type.
        public static let decoding = Code(.decoding)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The server's message (may name tables and constraints; never parameters).
    public var message: String
    /// Five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// Constraint name for integrity violations.
    public var constraint: String?
    public var file: String
    public var line: Int

    public init(code: Code, message: String, sqlState: String? = nil, constraint: String? = nil,
                file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.constraint = constraint
        self.file = file
        self.line = line
    }

    /// Generic: safe to reach a client.
    public var description: String { "database error (\(code))" }

    public var debugDescription: String {
        var text = "PostgresError(\(code)"
        if let sqlState { text += ", sqlstate \(sqlState)" }
        if let constraint { text += ", constraint \(constraint)" }
        return text + "): \(message) [\(file):\(line)]"
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// 40001 serialization failure / 40P01 deadlock: worth one retry.
    public var isTransient: Bool { sqlState == "40001" || sqlState == "40P01" }
}

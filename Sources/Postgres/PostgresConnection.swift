internal import CLibPQ
internal import Glibc

/// One libpq connection. Not thread-safe: each worker thread owns its own.
/// Statements are prepared once per connection and reused by their text.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    private let conninfo: String
    private var prepared: [String: String] = [:]

    /// Connects with a libpq connection string or `postgresql://` URL.
    public init(conninfo: String) throws(PostgresError) {
        self.conninfo = conninfo
        try connect()
    }

    deinit { PQfinish(handle) }

    private func connect() throws(PostgresError) {
        PQfinish(handle)
        prepared.removeAll()
        handle = PQconnectdb(conninfo)
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.message(handle)
            PQfinish(handle)
            handle = nil
            throw PostgresError(code: .connection, message: message)
        }
        // Timestamps come back in one predictable form (see PostgresTimestamp).
        _ = try execute(unsafeSQL: "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'")
    }

    /// True when the connection is usable (a broken one can be `reset()`).
    public var isHealthy: Bool { handle != nil && PQstatus(handle) == CONNECTION_OK }

    /// Reconnects after the server went away.
    public func reset() throws(PostgresError) { try connect() }

    /// Runs a parameterized statement (prepared on first use on this connection).
    @discardableResult
    public func query(_ sql: SQL) throws(PostgresError) -> PostgresResult {
        if !isHealthy { try connect() }
        let name = try statementName(for: sql)
        var cValues: [UnsafeMutablePointer<CChar>?] = sql.binds.map { bind in
            bind.textValue.map { strdup($0) } ?? nil
        }
        defer { for pointer in cValues { free(pointer) } }
        let result = cValues.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) { values in
                PQexecPrepared(handle, name, Int32(sql.binds.count), sql.binds.isEmpty ? nil : values, nil, nil, 0)
            }
        }
        return try check(result)
    }

    /// Runs trusted SQL text, possibly several statements (migrations, SET, BEGIN).
    @discardableResult
    public func execute(unsafeSQL text: String) throws(PostgresError) -> PostgresResult {
        try check(PQexec(handle, text))
    }

    /// Runs `body` inside BEGIN/COMMIT, rolling back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute(unsafeSQL: "BEGIN")
        do {
            let value = try body()
            try execute(unsafeSQL: "COMMIT")
            return value
        } catch {
            _ = try? execute(unsafeSQL: "ROLLBACK")
            throw error
        }
    }

    private func statementName(for sql: SQL) throws(PostgresError) -> String {
        if let name = prepared[sql.text] { return name }
        let name = "s\(prepared.count + 1)"
        _ = try check(PQprepare(handle, name, sql.text, Int32(sql.binds.count), nil))
        prepared[sql.text] = name
        return name
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(code: .connection, message: Self.message(handle))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            let error = PostgresError(
                code: PQstatus(handle) == CONNECTION_OK ? .query : .connection,
                message: Self.field(result, DiagField.message) ?? Self.message(handle),
                sqlState: Self.field(result, DiagField.sqlState),
                constraint: Self.field(result, DiagField.constraint))
            PQclear(result)
            if error.code == PostgresError.Code.connection { prepared.removeAll() }
            throw error
        }
    }

    private static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        guard let pointer = PQresultErrorField(result, code) else { return nil }
        return String(cString: pointer)
    }

    private static func message(_ handle: OpaquePointer?) -> String {
        guard let pointer = PQerrorMessage(handle) else { return "no connection" }
        let text = String(cString: pointer)
        return text.trimmingWhitespace()
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}

/// PG_DIAG_* are char macros that Swift does not import.
private enum DiagField {
    static let sqlState = Int32(UInt8(ascii: "C"))
    static let message = Int32(UInt8(ascii: "M"))
    static let constraint = Int32(UInt8(ascii: "n"))
}

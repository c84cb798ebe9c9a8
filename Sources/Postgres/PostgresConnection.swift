internal import CLibPQ
internal import Glibc
public import UTCTime
internal import TextBasics

/// One libpq connection. Not thread-safe: each worker thread owns its own.
/// Statements are prepared once per connection and reused by their text.
///
/// A lost connection is re-opened before the next statement, and the new session gets
/// the session settings recorded with `setSessionSetting` before any statement runs:
/// no statement ever runs on a session that lacks them (row-level security reads one).
/// A changed setting travels with the next statement, in one pipeline (one round trip).
/// What cannot be carried over (advisory locks) is guarded by `session`: a statement
/// pinned to a session fails with `.sessionLost` instead of running on a newer one.
public final class PostgresConnection {
    private(set) var handle: OpaquePointer?
    private let conninfo: String
    private var prepared: [String: String] = [:]
    /// Applied to every new session, in this order, and sent again with the next statement
    /// whenever the session may not hold them (see `SessionSettings`).
    var sessionSettings = SessionSettings()
    /// Inside `transaction`: a reconnect there would run the rest outside the transaction.
    private var inTransaction = false
    /// Counts the sessions opened so far; identifies the current one.
    public private(set) var session = 0
    /// The server sent its goodbye (a FATAL while idle: terminated, shutting down). The
    /// socket may not be closed yet, but no statement sent on this session would run.
    private var serverEndedSession = false

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
        session += 1
        serverEndedSession = false
        sessionSettings.sessionStarted()
        listenForNotices()
        do throws(PostgresError) {
            // Timestamps come back in one predictable form (see PostgresTimestamp).
            _ = try check(PQexec(handle, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'"))
            try applyPendingSettings()
        } catch {
            // A session without its settings must not serve statements.
            PQfinish(handle)
            handle = nil
            throw error
        }
    }

    /// Closes the session; the next statement opens a new one (see `reconnectIfLost`).
    func dropSession() {
        PQfinish(handle)
        handle = nil
        prepared.removeAll()
    }

    /// True when the connection is usable (a broken one can be `reset()`).
    public var isHealthy: Bool { handle != nil && PQstatus(handle) == CONNECTION_OK }

    /// Reconnects after the server went away.
    public func reset() throws(PostgresError) { try connect() }

    /// Sets a session setting (`set_config(name, value, false)`) for the next statement and
    /// every later session of this connection; a no-op when it already has this value.
    /// Nothing is sent yet: the next statement carries it (same round trip), and fails
    /// rather than run without it. Refused inside a transaction, whose rollback would undo it.
    public func setSessionSetting(_ name: String, to value: String) throws(PostgresError) {
        if sessionSettings.wants(name, value) { return }
        guard !inTransaction else {
            throw PostgresError(code: .protocolViolation, message: "session setting \(name) changed inside a transaction")
        }
        sessionSettings.want(name, value)
    }

    /// Sends the settings the session may lack, each on its own (a new session, BEGIN,
    /// trusted SQL): statements of `query` carry them in their pipeline instead.
    private func applyPendingSettings() throws(PostgresError) {
        for setting in sessionSettings.pending {
            try runAlone(Self.setConfig(setting))
            sessionSettings.confirm([setting])
        }
    }

    static func setConfig(_ setting: SessionSettings.Setting) -> SQL {
        "SELECT set_config(\(setting.name), \(setting.value), false)"
    }

    /// Runs a parameterized statement (prepared on first use on this connection).
    /// With `session`, only on that session: `.sessionLost` if it has ended, so that
    /// what relies on its advisory locks never runs without them.
    @discardableResult
    public func query(_ sql: SQL, session required: Int? = nil) throws(PostgresError) -> PostgresResult {
        try reconnectIfLost()
        if let required, required != session {
            throw PostgresError(code: .sessionLost, message: "session \(required) ended (now \(session))")
        }
        return try run(sql)
    }

    /// Runs a statement on the current session, after the settings it may lack (one pipeline).
    private func run(_ sql: SQL) throws(PostgresError) -> PostgresResult {
        let pending = sessionSettings.pending
        if pending.isEmpty { return try runAlone(sql) }
        return try runInPipeline(sql, after: pending)
    }

    /// Runs a statement on the current session as it is.
    @discardableResult
    private func runAlone(_ sql: SQL) throws(PostgresError) -> PostgresResult {
        let name = try statementName(for: sql)
        let result = Self.withBindValues(sql) { PQexecPrepared(handle, name, Int32(sql.binds.count), $0, nil, nil, 0) }
        return try check(result)
    }

    /// The binds as the C strings libpq reads (nil for NULL, and for no binds at all).
    static func withBindValues<T>(_ sql: SQL, _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T) -> T {
        var cValues: [UnsafeMutablePointer<CChar>?] = sql.binds.map { bind in
            bind.textValue.map { strdup($0) } ?? nil
        }
        defer { for pointer in cValues { free(pointer) } }
        return cValues.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) { values in
                body(sql.binds.isEmpty ? nil : UnsafePointer(values))
            }
        }
    }

    /// Re-opens a connection that broke, or whose server ended the session while it was
    /// idle (terminated, restarted, idle timeout): the server's goodbye is waiting on
    /// the socket, and sending a statement after it would only fail.
    private func reconnectIfLost() throws(PostgresError) {
        guard !isHealthy || (!inTransaction && peerHasSpoken()) else { return }
        if inTransaction {
            throw PostgresError(code: .connection, message: "the connection was lost inside a transaction")
        }
        try connect()
    }

    /// Notices go to `noticed` instead of libpq's default (a raw line on stderr, in the middle
    /// of the JSON logs); that is also how an idle session's FATAL goodbye is seen.
    private func listenForNotices() {
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            Unmanaged<PostgresConnection>.fromOpaque(context).takeUnretainedValue().noticed(result)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func noticed(_ result: OpaquePointer) {
        let severity = Self.field(result, DiagField.severity)
        if severity == "FATAL" || severity == "PANIC" { serverEndedSession = true }
    }

    /// True when the server ended the session while no statement ran: its goodbye
    /// (FATAL, then end of stream) is waiting on the socket. The FATAL can arrive a moment
    /// before the end of stream: once read, the session counts as ended. Anything else it
    /// may send while idle (a notice, a parameter status) is read and the session kept.
    private func peerHasSpoken() -> Bool {
        guard isHealthy, PQisBusy(handle) == 0 else { return serverEndedSession }
        if serverEndedSession { return true }
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { return false }
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK { return true }
            _ = PQisBusy(handle)  // parses what arrived: a FATAL reaches `noticed` here
            if serverEndedSession { return true }
        }
        // Still talking after several reads while idle: not a session to trust.
        return true
    }

    /// Runs trusted SQL text, possibly several statements (migrations, SET, BEGIN).
    @discardableResult
    public func execute(unsafeSQL text: String) throws(PostgresError) -> PostgresResult {
        try applyPendingSettings()
        return try check(PQexec(handle, text))
    }

    /// Runs `body` inside BEGIN/COMMIT, rolling back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try reconnectIfLost()
        do {
            try execute(unsafeSQL: "BEGIN")
        } catch where error.code == .connection {
            // The server's goodbye can still be on its way when the idle check looks: nothing
            // of the transaction ran yet, so a new session and a second BEGIN are safe.
            try connect()
            try execute(unsafeSQL: "BEGIN")
        }
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body()
            try execute(unsafeSQL: "COMMIT")
            return value
        } catch {
            _ = try? execute(unsafeSQL: "ROLLBACK")
            throw error
        }
    }

    /// The server's clock (`now()`): the one schedules and watermarks are judged by.
    public func serverNow() throws(PostgresError) -> UTCTimestamp {
        guard let now = try query("SELECT now()").timestamp(0, 0) else {
            throw PostgresError(code: .protocolViolation, message: "now() returned no timestamp")
        }
        return now
    }

    func statementName(for sql: SQL) throws(PostgresError) -> String {
        if let name = prepared[sql.text] { return name }
        let name = "s\(prepared.count + 1)"
        _ = try check(PQprepare(handle, name, sql.text, Int32(sql.binds.count), nil))
        prepared[sql.text] = name
        return name
    }

    func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
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

    static func message(_ handle: OpaquePointer?) -> String {
        guard let pointer = PQerrorMessage(handle) else { return "no connection" }
        let text = String(cString: pointer)
        return String(text.trimmed(where: \.isWhitespace))
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

/// PG_DIAG_* are char macros that Swift does not import.
private enum DiagField {
    static let sqlState = Int32(UInt8(ascii: "C"))
    static let message = Int32(UInt8(ascii: "M"))
    static let constraint = Int32(UInt8(ascii: "n"))
    /// PG_DIAG_SEVERITY_NONLOCALIZED: "FATAL" whatever the server's language.
    static let severity = Int32(UInt8(ascii: "V"))
}

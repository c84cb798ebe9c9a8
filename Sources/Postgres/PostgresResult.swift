internal import CLibPQ
public import UTCTime

/// A statement's rows, in libpq's text format. Column values are read in place.
public final class PostgresResult {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    public var rowCount: Int { Int(PQntuples(result)) }
    public var columnCount: Int { Int(PQnfields(result)) }
    /// Rows touched by INSERT/UPDATE/DELETE.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    /// Index of a column by name; -1 when absent.
    public func column(_ name: String) -> Int { Int(PQfnumber(result, name)) }

    public func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(result, Int32(row), Int32(column)) == 1
    }

    /// The value's bytes as libpq holds them; valid while the result lives.
    public func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T? {
        if isNull(row, column) { return nil }
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        let pointer = PQgetvalue(result, Int32(row), Int32(column))!
        return try pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            try body(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    public func string(_ row: Int, _ column: Int) -> String? {
        withBytes(row, column) { String(decoding: $0, as: UTF8.self) }
    }

    public func int(_ row: Int, _ column: Int) -> Int? {
        string(row, column).flatMap { Int($0) }
    }

    public func bool(_ row: Int, _ column: Int) -> Bool? {
        withBytes(row, column) { $0.first == UInt8(ascii: "t") }
    }

    /// A `bytea` column (hex output format).
    public func bytea(_ row: Int, _ column: Int) -> [UInt8]? {
        withBytes(row, column) { PostgresHex.decode($0) } ?? nil
    }

    /// A `timestamptz` column (the connection runs in UTC, ISO style).
    public func timestamp(_ row: Int, _ column: Int) -> UTCTimestamp? {
        withBytes(row, column) { UTCTimestamp(utf8: $0) } ?? nil
    }
}

@available(*, unavailable)
extension PostgresResult: Sendable {}

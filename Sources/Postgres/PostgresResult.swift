internal import CLibPQ
public import UTCTime

/// A statement's rows (text format). Column values are read in place.
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
    private func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T? {
        if isNull(row, column) { return nil }
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        let pointer = UnsafeRawPointer(PQgetvalue(result, Int32(row), Int32(column))!)
        return try body(UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: length))
    }

    // The lenders below are deliberately not generic: called from other modules,
    // a generic closure costs a metadata lookup per value, more than the value itself.

    /// Lends a text-like column's (text, varchar, json) UTF-8 bytes to `body`;
    /// false when the value is NULL.
    public func withText(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        withBytes(row, column, body) != nil
    }

    public func string(_ row: Int, _ column: Int) -> String? {
        withBytes(row, column) { String(decoding: $0, as: UTF8.self) }
    }

    /// An integer column (int2/int4/int8).
    public func int(_ row: Int, _ column: Int) -> Int? {
        withBytes(row, column) { Self.parseDecimal($0) } ?? nil
    }

    public func bool(_ row: Int, _ column: Int) -> Bool? {
        withBytes(row, column) { $0.first == UInt8(ascii: "t") }
    }

    /// A `bytea` column (hex text output).
    public func bytea(_ row: Int, _ column: Int) -> [UInt8]? {
        withBytes(row, column) { PostgresHex.decode($0) } ?? nil
    }

    /// A `timestamptz` column (the connection runs in UTC, ISO style).
    public func timestamp(_ row: Int, _ column: Int) -> UTCTimestamp? {
        withBytes(row, column) { UTCTimestamp(utf8: $0) } ?? nil
    }

    private static func parseDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var negative = false
        var digits = bytes[...]
        if digits.first == UInt8(ascii: "-") {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= 48, byte <= 57 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - 48))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}

@available(*, unavailable)
extension PostgresResult: Sendable {}

// STUB — to be implemented by the JSONBytes work. Signatures are the contract.

/// A parsed JSON document. Objects keep their members in document order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written in the document (no precision lost).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { fatalError("stub") }
}

extension JSONValue {
    /// Parses a complete JSON text (RFC 8259). Rejects trailing garbage, duplicate
    /// object keys, invalid UTF-8, lone surrogates and nesting deeper than `maxDepth`.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes, maxDepth: Int = 64) throws(JSONError) -> JSONValue {
        fatalError("stub")
    }
    /// Member lookup on an object; nil for other kinds or a missing key.
    public subscript(key: String) -> JSONValue? { fatalError("stub") }
    public var stringValue: String? { fatalError("stub") }
    public var boolValue: Bool? { fatalError("stub") }
    /// Integer value of a `.number` that is an exact integer in Int's range.
    public var intValue: Int? { fatalError("stub") }
    public var isNull: Bool { fatalError("stub") }
    /// Compact serialization (no insignificant whitespace), members in stored order.
    public func serialized() -> [UInt8] { fatalError("stub") }
}

/// Why a JSON text was rejected; `offset` is the byte offset of the problem.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public init(offset: Int, reason: String) { self.offset = offset; self.reason = reason }
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

public import UTCTime

/// A parameterized statement. Interpolated values become `$1…$n` binds, so
/// user input never becomes SQL text; raw SQL must be spelled `unsafeSQL:`.
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    public private(set) var text: String
    public private(set) var binds: [PostgresBind]

    public init(stringLiteral value: String) {
        text = value
        binds = []
    }

    /// Statement text that is trusted as is (migrations, constant fragments).
    public init(unsafeSQL text: String, binds: [PostgresBind] = []) {
        self.text = text
        self.binds = binds
    }

    public init(stringInterpolation: Interpolation) {
        text = stringInterpolation.text
        binds = stringInterpolation.binds
    }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }
        public mutating func appendLiteral(_ literal: String) { text += literal }
        public mutating func appendInterpolation(_ value: some PostgresBindable) {
            binds.append(value.postgresBind)
            text += "$\(binds.count)"
        }
        public mutating func appendInterpolation(_ value: (some PostgresBindable)?) {
            binds.append(value?.postgresBind ?? .null)
            text += "$\(binds.count)"
        }
        /// Splices trusted SQL text (identifiers, constant fragments) without binding.
        public mutating func appendInterpolation(unsafeSQL fragment: String) { text += fragment }
    }
}

/// One bind parameter in libpq's text format (bytea as `\x` hex).
public enum PostgresBind: Sendable, Equatable {
    case null
    case text(String)

    var textValue: String? {
        switch self {
        case .null: return nil
        case .text(let value): return value
        }
    }
}

/// Values that can be bound as a parameter.
public protocol PostgresBindable { var postgresBind: PostgresBind { get } }

extension String: PostgresBindable { public var postgresBind: PostgresBind { .text(self) } }
extension Substring: PostgresBindable { public var postgresBind: PostgresBind { .text(String(self)) } }
extension Int: PostgresBindable { public var postgresBind: PostgresBind { .text(String(self)) } }
extension Int64: PostgresBindable { public var postgresBind: PostgresBind { .text(String(self)) } }
extension Bool: PostgresBindable { public var postgresBind: PostgresBind { .text(self ? "t" : "f") } }
extension Double: PostgresBindable { public var postgresBind: PostgresBind { .text(String(self)) } }
/// RFC 3339 text, which `::timestamptz` reads exactly (microseconds, UTC).
extension UTCTimestamp: PostgresBindable { public var postgresBind: PostgresBind { .text(rfc3339) } }

/// `bytea` parameter, sent as hex text.
public struct ByteaBind: PostgresBindable, Sendable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var postgresBind: PostgresBind { .text(PostgresHex.encode(bytes)) }
}

enum PostgresHex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(2 + bytes.count * 2)
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "x"))
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes the `\x…` text form of a bytea column.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"),
              text.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity((text.count - 2) / 2)
        var index = 2
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

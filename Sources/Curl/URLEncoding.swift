/// Percent- and form-encoding for query strings and `application/x-www-form-urlencoded` bodies.
public enum URLEncoding {
    /// Percent-encodes everything except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`),
    /// so the result is safe as a query name or value and as a path segment.
    public static func percentEncode(_ text: String) -> String {
        encode(text, spaceAsPlus: false, keep: isUnreserved)
    }

    /// `name=value&...` with both sides percent-encoded (space as `%20`).
    public static func query(_ items: [(String, String)]) -> String {
        items.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    /// Appends query items to a URL, with `?` or `&` as needed.
    public static func url(_ base: String, appendingQuery items: [(String, String)]) -> String {
        guard !items.isEmpty else { return base }
        let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
        return base + separator + query(items)
    }

    /// An `application/x-www-form-urlencoded` body as the WHATWG URL standard serializes it:
    /// space as `+`, `*-._` and alphanumerics kept, everything else percent-encoded.
    public static func formURLEncoded(_ fields: [(String, String)]) -> [UInt8] {
        let text = fields.map {
            encode($0.0, spaceAsPlus: true, keep: isFormSafe) + "=" + encode($0.1, spaceAsPlus: true, keep: isFormSafe)
        }.joined(separator: "&")
        return Array(text.utf8)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "~")
    }

    private static func isFormSafe(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func encode(_ text: String, spaceAsPlus: Bool, keep: (UInt8) -> Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                out.append(byte)
            } else if spaceAsPlus && byte == 0x20 {
                out.append(UInt8(ascii: "+"))
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
